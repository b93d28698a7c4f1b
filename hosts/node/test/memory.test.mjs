// Linear memory stays flat over 200 classifications: nothing leaks per call (a leak of even one
// image's worth per call would grow memory by megabytes here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWasinfer } from '../lib/index.js';
import { data, v2Model } from './helpers.mjs';

test('linear memory is flat over 200 classifications', async () => {
  const wi = await createWasinfer();
  const model = wi.loadModel(data(v2Model));
  const images = ['images/golden-retriever.jpeg', 'images/grace_hopper.jpg'].map(data);
  for (let i = 0; i < 4; i++) model.classify(images[i % 2]); // warm-up: allocator settles
  const before = wi.memoryBytes;
  for (let i = 0; i < 200; i++) {
    const top = model.classify(images[i % 2], { topK: 1 });
    assert.equal(top[0].index, i % 2 ? 653 : 208);
  }
  assert.equal(wi.memoryBytes, before, `memory grew from ${before} to ${wi.memoryBytes} bytes`);
  model.free();
});
