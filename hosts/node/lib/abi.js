// The low-level side of the module's ABI (docs/wasm-abi.md): copying bytes in and out of linear
// memory and turning -1/0 returns into JS Errors carrying the module's last_error() message.
//
// Linear memory may grow during any call that allocates (alloc, model_load, classify, run), and
// growing detaches every view of the old buffer, so no view is kept: each access takes a fresh
// one from memory.buffer.

const REQUIRED_EXPORTS = [
  'memory', 'alloc', 'dealloc', 'infer_from_ptrs', 'model_load', 'model_free', 'classify', 'run',
  'model_input_count', 'model_output_count', 'model_input_info', 'model_output_info',
  'last_error', 'last_error_len',
];

const decoder = new TextDecoder();

export class Abi {
  constructor(instance) {
    const missing = REQUIRED_EXPORTS.filter((name) => !(name in instance.exports));
    if (missing.length) throw new Error(`wasinfer: the module lacks exports ${missing.join(', ')}`);
    this.exports = instance.exports;
  }

  bytes() { return new Uint8Array(this.exports.memory.buffer); }
  view() { return new DataView(this.exports.memory.buffer); }
  memoryBytes() { return this.exports.memory.buffer.byteLength; }

  lastError() {
    const ptr = this.exports.last_error() >>> 0;
    const len = this.exports.last_error_len();
    return decoder.decode(this.bytes().subarray(ptr, ptr + len));
  }

  // An Error with the module's message (or `fallback` when it left none) and, as `status`, the
  // module's wi_status code (3 malformed, 5 over a limit, ...; docs/wasm-abi.md).
  error(fallback) {
    const error = new Error(this.lastError() || fallback);
    if (this.exports.last_status) error.status = this.exports.last_status();
    return error;
  }

  alloc(len) {
    const ptr = this.exports.alloc(len) >>> 0;
    if (ptr === 0) throw this.error(`alloc(${len}) failed`);
    return ptr;
  }

  free(ptr, len) {
    if (ptr) this.exports.dealloc(ptr, len);
  }

  // Copies `data` (Uint8Array, Buffer or any ArrayBufferView) into a new block; returns its pointer.
  copyIn(data) {
    const bytes = data instanceof Uint8Array
      ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const ptr = this.alloc(Math.max(bytes.byteLength, 1));
    this.bytes().set(bytes, ptr);
    return ptr;
  }

  // Runs fn(ptr) with `data` copied into a temporary block, freeing it afterwards.
  withCopy(data, fn) {
    const ptr = this.copyIn(data);
    try {
      return fn(ptr, data.byteLength);
    } finally {
      this.free(ptr, data.byteLength);
    }
  }

  // Runs fn(ptr) with a temporary block of `len` bytes.
  withBlock(len, fn) {
    const ptr = this.alloc(len);
    try {
      return fn(ptr);
    } finally {
      this.free(ptr, len);
    }
  }
}
