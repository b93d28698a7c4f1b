// What the two ONNX Runtime runners share: the model and input (NCHW) and the timed calls.
import { readFileSync } from 'node:fs';
import { benchmark, readInput, toNchw } from './common.mjs';

export async function benchOrt(ort, name, version, args, sessionOptions) {
  const modelBytes = readFileSync(args.model);
  const input = new ort.Tensor('float32', toNchw(readInput(args.input), 224, 224, 3), [1, 3, 224, 224]);
  await benchmark(
    name,
    args,
    () => ort.InferenceSession.create(modelBytes, { graphOptimizationLevel: 'all', ...sessionOptions }),
    async (session) => (await session.run({ input })).probabilities.data,
    { version },
  );
}
