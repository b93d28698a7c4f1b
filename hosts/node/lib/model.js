// A model loaded into the module behind a handle: classify images, run raw tensors, free.
const DTYPES = ['invalid', 'float32', 'int32', 'int64', 'uint8', 'int8'];
const RANGES = new Map([
  [0, 0], ['[-1,1]', 0], ['-1,1', 0], ['minus1_1', 0],
  [1, 1], ['[0,1]', 1], ['0,1', 1], ['0_1', 1],
  [2, 2], ['[0,255]', 2], ['0,255', 2], ['0_255', 2],
]);
const FILTERS = new Map([
  [0, 0], ['bilinear', 0], [1, 1], ['nearest', 1], [2, 2], ['bicubic', 2],
]);
const INFO_BYTES = 44 + 256; // header + name (docs/wasm-abi.md, model_input_info)

function parseLabels(labels) {
  if (labels === undefined || labels === null) return null;
  if (Array.isArray(labels)) return labels.map(String);
  const text = typeof labels === 'string' ? labels : new TextDecoder().decode(labels);
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function option(map, value, what) {
  const key = typeof value === 'string' ? value.toLowerCase().replace(/\s+/g, '') : value;
  if (!map.has(key)) throw new Error(`wasinfer: unknown ${what} ${JSON.stringify(value)}`);
  return map.get(key);
}

export class Model {
  constructor(abi, handle, labels) {
    this.abi = abi;
    this.handle = handle;
    this.labels = parseLabels(labels);
    this.inputs = this.#describe('input');
    this.outputs = this.#describe('output');
  }

  #live() {
    if (!this.handle) throw new Error('wasinfer: the model was freed');
    return this.handle;
  }

  #describe(kind) {
    const ex = this.abi.exports;
    const count = ex[`model_${kind}_count`](this.#live());
    if (count < 0) throw this.abi.error(`model_${kind}_count failed`);
    const infos = [];
    for (let i = 0; i < count; i++) {
      infos.push(this.abi.withBlock(INFO_BYTES, (ptr) => {
        if (ex[`model_${kind}_info`](this.handle, i, ptr, INFO_BYTES) < 0) {
          throw this.abi.error(`model_${kind}_info failed`);
        }
        const view = this.abi.view();
        const rank = view.getInt32(ptr + 4, true);
        const shape = [];
        for (let d = 0; d < rank; d++) shape.push(view.getInt32(ptr + 8 + 4 * d, true));
        const nameLen = view.getInt32(ptr + 40, true);
        const name = new TextDecoder().decode(this.abi.bytes().subarray(ptr + 44, ptr + 44 + nameLen));
        return { name, dtype: DTYPES[view.getInt32(ptr, true)] ?? 'invalid', shape };
      }));
    }
    return infos;
  }

  // -> [{index, label, prob}], best first. options: topK (5), range ('[-1,1]' | '[0,1]' |
  // '[0,255]' or 0/1/2), resize ('bilinear' | 'nearest' | 'bicubic' or 0/1/2).
  classify(imageBytes, { topK = 5, range = '[-1,1]', resize = 'bilinear' } = {}) {
    const handle = this.#live();
    if (!Number.isInteger(topK) || topK <= 0) throw new Error(`wasinfer: topK must be a positive integer, not ${topK}`);
    const rangeCode = option(RANGES, range, 'range');
    const filterCode = option(FILTERS, resize, 'resize filter');
    if (!imageBytes || imageBytes.byteLength === 0) throw new Error('wasinfer: classify: empty image');
    return this.abi.withCopy(imageBytes, (imgPtr, imgLen) => this.abi.withBlock(topK * 8, (outPtr) => {
      const n = this.abi.exports.classify(handle, imgPtr, imgLen, topK, rangeCode, filterCode, outPtr, topK);
      if (n < 0) throw this.abi.error('classify failed');
      const view = this.abi.view();
      const results = [];
      for (let i = 0; i < n; i++) {
        const index = view.getInt32(outPtr + 8 * i, true);
        const label = this.labels ? (this.labels[index] ?? null) : null;
        results.push({ index, label, prob: view.getFloat32(outPtr + 8 * i + 4, true) });
      }
      return results;
    }));
  }

  // Raw tensors: a Float32Array with input 0's element count in, output 0 as a Float32Array out.
  run(input) {
    const handle = this.#live();
    if (!(input instanceof Float32Array)) throw new Error('wasinfer: run takes a Float32Array');
    const outCount = this.outputs[0].shape.reduce((a, b) => a * Math.max(b, 1), 1);
    return this.abi.withCopy(input, (inPtr) => this.abi.withBlock(outCount * 4, (outPtr) => {
      const n = this.abi.exports.run(handle, inPtr, input.length, outPtr, outCount);
      if (n < 0) throw this.abi.error('run failed');
      return new Float32Array(this.abi.exports.memory.buffer.slice(outPtr, outPtr + n * 4));
    }));
  }

  free() {
    if (!this.handle) return;
    this.abi.exports.model_free(this.handle);
    this.handle = 0;
  }
}
