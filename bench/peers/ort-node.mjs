// ONNX Runtime native (MLAS) through onnxruntime-node: --threads sets intra-op threads.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { benchmark, main, readInput, toNchw } from './common.mjs';

main(async (args) => {
  const modelBytes = readFileSync(args.model);
  const input = new ort.Tensor('float32', toNchw(readInput(args.input), 224, 224, 3), [1, 3, 224, 224]);
  await benchmark(
    'onnxruntime-node',
    args,
    () =>
      ort.InferenceSession.create(modelBytes, {
        executionProviders: ['cpu'],
        intraOpNumThreads: args.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      }),
    async (session) => (await session.run({ input })).probabilities.data,
    { version: ort.env.versions?.node ?? '1.30.0' },
  );
});
