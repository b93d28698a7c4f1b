// wasinfer for Node: the wasm32-wasi inference module behind a small JS API.
//
//   import { createWasinfer } from 'wasinfer';
//   const wi = await createWasinfer();                     // SIMD build if the engine has SIMD128
//   const model = wi.loadModel(await readFile('mobilenet_v2_1.0_224_frozen.pb'), { labels });
//   model.classify(await readFile('grace_hopper.jpg'), { topK: 3 }); // [{index, label, prob}]
//   model.free();
import { readFile } from 'node:fs/promises';
import { Abi } from './abi.js';
import { Model } from './model.js';
import { chooseWasm } from './paths.js';
import { loadWasi, wasiImports } from './wasi.js';

export { relaxedSimdSupported, simdSupported } from './simd.js';
export { chooseWasm, findWasm } from './paths.js';
export { Model } from './model.js';

export class Wasinfer {
  constructor(instance, info) {
    this.abi = new Abi(instance);
    this.instance = instance;
    this.exports = instance.exports;
    this.wasmPath = info.wasmPath;
    this.simd = info.simd;
    this.relaxed = info.relaxed;
    this.timing = info.timing; // {readMs, compileMs, instantiateMs}
  }

  get memoryBytes() { return this.abi.memoryBytes(); }

  // bytes: the model file (Uint8Array/Buffer), or for a TensorFlow.js graph model
  // { json, weights }: model.json's bytes and its weight shards concatenated in manifest order
  // (a Buffer, or an array of Buffers in manifest order). options.labels: array, text or bytes
  // (one per line).
  loadModel(bytes, { labels } = {}) {
    const tfjs = bytes && !ArrayBuffer.isView(bytes) && bytes.json !== undefined;
    if (!bytes || (!tfjs && bytes.byteLength === 0)) throw new Error('wasinfer: loadModel: empty model');
    const handle = tfjs ? this.loadTfjs(bytes) : this.abi.withCopy(bytes, (ptr, len) => this.exports.model_load(ptr, len));
    if (handle === 0) throw this.abi.error(tfjs ? 'model_load_tfjs failed' : 'model_load failed');
    try {
      return new Model(this.abi, handle, labels);
    } catch (e) {
      this.exports.model_free(handle);
      throw e;
    }
  }

  // model_load_tfjs (docs/tfjs.md) with both buffers copied into the module.
  loadTfjs({ json, weights = new Uint8Array(0) }) {
    if (!this.exports.model_load_tfjs) throw new Error('wasinfer: this module has no model_load_tfjs export');
    const shards = Array.isArray(weights) ? Buffer.concat(weights) : weights;
    const text = typeof json === 'string' ? new TextEncoder().encode(json) : json;
    if (!text || text.byteLength === 0) throw new Error('wasinfer: loadModel: empty model.json');
    return this.abi.withCopy(text, (jp, jl) => (shards.byteLength === 0
      ? this.exports.model_load_tfjs(jp, jl, 0, 0)
      : this.abi.withCopy(shards, (wp, wl) => this.exports.model_load_tfjs(jp, jl, wp, wl))));
  }
}

// options.wasmPath: a .wasm file (default: chosen by chooseWasm). options.simd and
// options.relaxed: 'auto' (default; WebAssembly.validate of a SIMD128 / relaxed-SIMD probe),
// true or false. The relaxed-SIMD module fuses the kernels' multiply-adds (faster; outputs
// differ from the SIMD128 module's in the last bits, as native FMA code's do).
export async function createWasinfer({ wasmPath, simd = 'auto', relaxed = 'auto' } = {}) {
  const choice = chooseWasm('wasinfer', { simd, relaxed });
  const file = wasmPath ?? choice.file;
  const t0 = performance.now();
  const bytes = await readFile(file);
  const t1 = performance.now();
  const module = await WebAssembly.compile(bytes);
  const t2 = performance.now();
  const { WASI } = await loadWasi();
  const wasi = new WASI({ version: 'preview1', args: ['wasinfer'], env: {}, returnOnExit: true });
  const instance = await WebAssembly.instantiate(module, wasiImports(wasi));
  wasi.initialize(instance);
  const t3 = performance.now();
  return new Wasinfer(instance, {
    wasmPath: file,
    simd: choice.simd,
    relaxed: choice.relaxed,
    timing: { readMs: t1 - t0, compileMs: t2 - t1, instantiateMs: t3 - t2 },
  });
}
