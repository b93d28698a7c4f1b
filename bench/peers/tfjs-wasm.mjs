// TensorFlow.js with its wasm backend (XNNPACK, SIMD, one thread) in Node, on the generated
// graph model (model.json + weight shard next to it).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { benchmark, main, readInput } from './common.mjs';

const require = createRequire(import.meta.url);

main(async (args) => {
  if (args.threads !== 1) throw new Error('tfjs-backend-wasm runs single-threaded here (--threads 1)');
  // Node has no Web Workers: force the single-threaded SIMD binary.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  setWasmPaths(wasmDir + '/');
  const tInit = performance.now();
  await tf.setBackend('wasm');
  await tf.ready();
  const initMs = performance.now() - tInit;

  const modelJson = JSON.parse(readFileSync(args.model, 'utf8'));
  const manifest = modelJson.weightsManifest;
  const shards = manifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dirname(args.model), p))));
  const weightData = Buffer.concat(shards);
  const artifacts = {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    signature: modelJson.signature,
    weightSpecs: manifest.flatMap((group) => group.weights),
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.length),
  };
  const input = tf.tensor(readInput(args.input), [1, 224, 224, 3], 'float32');
  await benchmark(
    'tfjs-wasm',
    args,
    () => loadGraphModel({ load: async () => artifacts }),
    async (model) => {
      const out = model.execute(input);
      const data = await out.data();
      out.dispose();
      return data;
    },
    { version: tf.version_core, backend: tf.getBackend(), init_ms: Math.round(initMs * 1000) / 1000 },
  );
});
