// ONNX Runtime Web's wasm backend (SIMD, one thread) running inside Node.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { benchmark, main, readInput, toNchw } from './common.mjs';

main(async (args) => {
  if (args.threads !== 1) throw new Error('onnxruntime-web runs single-threaded here (--threads 1)');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  const modelBytes = readFileSync(args.model);
  const input = new ort.Tensor('float32', toNchw(readInput(args.input), 224, 224, 3), [1, 3, 224, 224]);
  await benchmark(
    'onnxruntime-web',
    args,
    () =>
      ort.InferenceSession.create(modelBytes, {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
      }),
    async (session) => (await session.run({ input })).probabilities.data,
    { version: ort.env.versions?.web ?? '1.30.0' },
  );
});
