// Bad input through the raw exports: garbage model, garbage image, zero lengths, out-of-range
// pointers, stale handles. Each gives an error with a message (never a trap), and the same
// instance keeps working afterwards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWasinfer } from '../lib/index.js';
import { data, v2Model } from './helpers.mjs';

const wi = await createWasinfer();
const ex = wi.exports;
const model = wi.loadModel(data(v2Model));
const image = data('images/golden-retriever.jpeg');
const memEnd = () => ex.memory.buffer.byteLength;

function stillWorks() {
  assert.equal(model.classify(image, { topK: 1 })[0].index, 208);
}

function expectMessage(pattern) {
  const message = wi.abi.lastError();
  assert.match(message, pattern);
}

test('garbage model bytes', () => {
  assert.throws(() => wi.loadModel(new Uint8Array(1000).fill(0xab)), (e) => e instanceof Error && e.message.length > 0);
  assert.throws(() => wi.loadModel(Buffer.from('not a model at all')), Error);
  // A truncated real model.
  assert.throws(() => wi.loadModel(data(v2Model).subarray(0, 100000)), Error);
  stillWorks();
});

test('garbage image bytes', () => {
  assert.throws(() => model.classify(new Uint8Array(4096).fill(0x42)), (e) => e.status === 3 && /image/.test(e.message));
  assert.throws(() => model.classify(image.subarray(0, 200)), Error);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  assert.throws(() => model.classify(png), Error);
  stillWorks();
});

test('zero lengths and null pointers', () => {
  assert.equal(ex.alloc(0), 0);
  expectMessage(/alloc/);
  assert.equal(ex.model_load(0, 0), 0);
  expectMessage(/null pointer/);
  assert.equal(ex.last_status(), 1); // WI_E_INVALID_ARGUMENT
  const ptr = wi.abi.alloc(16);
  assert.equal(ex.model_load(ptr, 0), 0);
  expectMessage(/zero length/);
  const out = wi.abi.alloc(64);
  assert.equal(ex.classify(model.handle, ptr, 0, 5, 0, 0, out, 5), -1);
  expectMessage(/zero length/);
  assert.equal(ex.infer_from_ptrs(0, 0, 0, 0), -1);
  expectMessage(/not inside a block/);
  wi.abi.free(ptr, 16);
  wi.abi.free(out, 64);
  stillWorks();
});

test('out-of-range pointers and lengths', () => {
  const out = wi.abi.alloc(64);
  assert.equal(ex.model_load(memEnd() - 8, 1000), 0);
  expectMessage(/outside linear memory/);
  assert.equal(ex.model_load(0xfffffff0, 0x100), 0);
  expectMessage(/outside linear memory/);
  assert.equal(ex.model_load(16, -1), 0); // a negative i32 is 4 GiB - 1 as a length
  expectMessage(/outside linear memory/);
  assert.equal(ex.classify(model.handle, memEnd() + 4096, 100, 5, 0, 0, out, 5), -1);
  expectMessage(/outside linear memory/);
  // Output buffers must lie inside a block from alloc: never over the module's own memory.
  const img = wi.abi.copyIn(image);
  assert.equal(ex.classify(model.handle, img, image.length, 5, 0, 0, 1024, 5), -1);
  expectMessage(/not inside a block/);
  assert.equal(ex.classify(model.handle, img, image.length, 5, 0, 0, out + 60, 5), -1);
  expectMessage(/needs 40 bytes/);
  assert.equal(ex.run(model.handle, memEnd() - 4, 150528, out, 16), -1);
  expectMessage(/outside linear memory/);
  assert.equal(ex.model_input_info(model.handle, 0, memEnd() + 1, 100), -1);
  assert.equal(ex.model_input_info(model.handle, 5, out, 64), -1);
  expectMessage(/no tensor 5/);
  assert.equal(ex.model_output_info(model.handle, 0, out, 44), -1); // no room for the name
  expectMessage(/out_capacity 44/);
  // Bad option values.
  assert.equal(ex.classify(model.handle, img, image.length, 5, 7, 0, out, 5), -1);
  expectMessage(/range 7/);
  assert.equal(ex.classify(model.handle, img, image.length, 5, 0, 9, out, 5), -1);
  expectMessage(/filter 9/);
  // infer_from_ptrs with pointers that are not alloc() blocks: -1, and nothing is freed.
  assert.equal(ex.infer_from_ptrs(1024, 100, 2048, 100), -1);
  expectMessage(/not inside a block/);
  wi.abi.free(img, image.length);
  wi.abi.free(out, 64);
  stillWorks();
});

test('stale handles and double frees', () => {
  const other = wi.loadModel(data(v2Model));
  const handle = other.handle;
  other.free();
  const out = wi.abi.alloc(64);
  const img = wi.abi.copyIn(image);
  assert.equal(ex.classify(handle, img, image.length, 5, 0, 0, out, 5), -1);
  expectMessage(/not live/);
  ex.model_free(handle);
  expectMessage(/not live/);
  assert.equal(ex.classify(0, img, image.length, 5, 0, 0, out, 5), -1);
  assert.equal(ex.classify(-5, img, image.length, 5, 0, 0, out, 5), -1);
  ex.dealloc(img, image.length);
  ex.dealloc(img, image.length); // twice: an error, not heap corruption
  expectMessage(/not a live block/);
  ex.dealloc(12345, 10);
  expectMessage(/not a live block/);
  wi.abi.free(out, 64);
  stillWorks();
});

test('last_error is cleared by a call that succeeds', () => {
  assert.equal(ex.model_load(0, 0), 0);
  assert.ok(ex.last_error_len() > 0);
  stillWorks();
  assert.equal(ex.last_error_len(), 0);
  assert.equal(ex.last_status(), 0);
});

test('debug exports: debug_spin counts, debug_trap traps (for the sandbox hosts)', async () => {
  assert.equal(ex.debug_spin(1000), 1000);
  const fresh = await createWasinfer();
  assert.throws(() => fresh.exports.debug_trap(), WebAssembly.RuntimeError);
});
