// The original host's call sequence, step for step, against both builds: alloc + copy the model,
// alloc + copy the image, infer_from_ptrs(model_ptr, model_len, img_ptr, model_len) with the
// MODEL's length passed as the image's (the original host's mistake), answer = argmax + 1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWasinfer, simdSupported } from '../lib/index.js';
import { data, v2Model } from './helpers.mjs';

const model = data(v2Model);

function originalInfer(exports, modelBytes, imageBytes) {
  const modelPtr = exports.alloc(modelBytes.length);
  new Uint8Array(exports.memory.buffer).set(modelBytes, modelPtr);
  const imgPtr = exports.alloc(imageBytes.length);
  new Uint8Array(exports.memory.buffer).set(imageBytes, imgPtr);
  return exports.infer_from_ptrs(modelPtr, modelBytes.length, imgPtr, modelBytes.length);
}

for (const simd of [true, false]) {
  test(`original call sequence (${simd ? 'SIMD128' : 'scalar'} build)`, async (t) => {
    if (simd) assert.ok(simdSupported(), 'this Node has SIMD128');
    const wi = await createWasinfer({ simd });
    const { exports } = wi;
    assert.equal(originalInfer(exports, model, data('images/grace_hopper.jpg')), 654, exports.last_error_len() ? wi.abi.lastError() : '');
    assert.equal(originalInfer(exports, model, data('images/golden-retriever.jpeg')), 209, wi.abi.lastError());
    // The same model again: served from the cache, same answer.
    assert.equal(originalInfer(exports, model, data('images/grace_hopper.jpg')), 654, wi.abi.lastError());
  });
}

test('infer_from_ptrs frees both buffers, on success and on error', async () => {
  const wi = await createWasinfer();
  const { exports } = wi;
  const image = data('images/golden-retriever.jpeg');
  assert.equal(originalInfer(exports, model, image), 209);
  const before = exports.memory.buffer.byteLength;
  for (let i = 0; i < 5; i++) assert.equal(originalInfer(exports, model, image), 209);
  // Garbage as the image: -1, and the buffers are still freed (memory does not grow).
  for (let i = 0; i < 5; i++) assert.equal(originalInfer(exports, model, new Uint8Array(5000).fill(7)), -1);
  assert.match(wi.abi.lastError(), /\S/);
  assert.equal(exports.memory.buffer.byteLength, before);
  assert.equal(originalInfer(exports, model, image), 209);
});
