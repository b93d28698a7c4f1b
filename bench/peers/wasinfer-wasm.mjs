// wasinfer's wasm32-wasi module in Node (node:wasi), through the Node host's JS API
// (hosts/node): loadModel(bytes) then model.run(Float32Array). The host picks the module
// (relaxed SIMD where Node validates it); WASINFER_RELAXED=0 keeps the SIMD128 build,
// WASINFER_SIMD=0 forces the scalar build. The module is compiled and instantiated before timing starts, as the peers'
// wasm runtimes are initialised before theirs.
import { readFileSync } from 'node:fs';
import { createWasinfer } from '../../hosts/node/lib/index.js';
import { benchmark, main, readInput } from './common.mjs';

main(async (args) => {
  if (args.threads !== 1) throw new Error('the wasm build runs single-threaded (--threads 1)');
  const wi = await createWasinfer({
    simd: process.env.WASINFER_SIMD === '0' ? false : 'auto',
    relaxed: process.env.WASINFER_RELAXED === '0' ? false : 'auto',
  });
  const modelBytes = readFileSync(args.model);
  const input = readInput(args.input);
  await benchmark(
    'wasinfer-wasm',
    args,
    async () => wi.loadModel(modelBytes),
    async (model) => model.run(input),
    { simd: wi.simd, relaxed: wi.relaxed, wasm: wi.wasmPath, init_ms: Math.round((wi.timing.compileMs + wi.timing.instantiateMs) * 1000) / 1000 },
  );
});
