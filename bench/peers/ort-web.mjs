// ONNX Runtime Web's wasm backend (SIMD, one thread) running inside Node.
import * as ort from 'onnxruntime-web';
import { main } from './common.mjs';
import { benchOrt } from './ort-common.mjs';

main((args) => {
  if (args.threads !== 1) throw new Error('onnxruntime-web runs single-threaded here (--threads 1)');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  return benchOrt(ort, 'onnxruntime-web', ort.env.versions?.web ?? '1.30.0', args, { executionProviders: ['wasm'] });
});
