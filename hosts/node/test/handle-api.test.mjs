// The handle API through the JS wrapper, on every .pb row of expected.tsv.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { createWasinfer, relaxedSimdSupported, simdSupported } from '../lib/index.js';
import { data, expectedRows, labelsFile, rangeFor, tfhubModel, v2Model } from './helpers.mjs';

const labels = data(labelsFile);
const wi = await createWasinfer();

const rows = expectedRows().filter((row) => row.model.endsWith('.pb'));
const byModel = Map.groupBy ? Map.groupBy(rows, (r) => r.model)
  : rows.reduce((m, r) => m.set(r.model, [...(m.get(r.model) ?? []), r]), new Map());

for (const [modelFile, modelRows] of byModel) {
  test(`classify with ${modelFile}`, () => {
    const model = wi.loadModel(data(modelFile), { labels });
    try {
      for (const row of modelRows) {
        const top = model.classify(data(row.image), { topK: 5, range: rangeFor(modelFile) });
        assert.equal(top.length, 5);
        assert.ok(row.accepted.includes(top[0].index),
          `${row.image}: top-1 ${top[0].index} (${top[0].label}) not in ${row.accepted}`);
        assert.equal(top[0].label, labels.toString().split('\n')[top[0].index]);
        for (let i = 1; i < top.length; i++) assert.ok(top[i - 1].prob >= top[i].prob);
        assert.ok(top[0].prob > 0 && top[0].prob <= 1);
      }
    } finally {
      model.free();
    }
  });
}

test('createWasinfer picks the build by SIMD feature detection', async () => {
  assert.equal(simdSupported(), true, 'Node 20 has SIMD128');
  // relaxed SIMD: Node 22+, or Node 20 with --experimental-wasm-relaxed-simd
  assert.equal(path.basename(wi.wasmPath), relaxedSimdSupported() ? 'wasinfer-relaxed.wasm' : 'wasinfer.wasm');
  assert.equal(wi.simd, true);
  assert.equal(wi.relaxed, relaxedSimdSupported());
  const plain = await createWasinfer({ relaxed: false });
  assert.equal(path.basename(plain.wasmPath), 'wasinfer.wasm');
  const scalar = await createWasinfer({ simd: false });
  assert.equal(path.basename(scalar.wasmPath), 'wasinfer-scalar.wasm');
  assert.ok(scalar.timing.compileMs >= 0 && scalar.timing.instantiateMs >= 0);
  assert.equal(scalar.relaxed, false);
  if (!relaxedSimdSupported()) {
    await assert.rejects(createWasinfer({ relaxed: true }), /does not validate relaxed SIMD/);
  } else {
    assert.equal(path.basename((await createWasinfer({ relaxed: true })).wasmPath), 'wasinfer-relaxed.wasm');
  }
});

test('inputs and outputs describe the model', () => {
  const v2 = wi.loadModel(data(v2Model));
  assert.deepEqual(v2.inputs, [{ name: 'input', dtype: 'float32', shape: [1, 224, 224, 3] }]);
  assert.deepEqual(v2.outputs[0].shape, [1, 1001]);
  assert.equal(v2.outputs[0].dtype, 'float32');
  v2.free();
  const hub = wi.loadModel(data(tfhubModel));
  assert.equal(hub.inputs[0].name, 'images');
  assert.deepEqual(hub.inputs[0].shape, [1, 224, 224, 3]);
  hub.free();
});

test('run: raw float tensors in and out', () => {
  const model = wi.loadModel(data(v2Model));
  try {
    const input = new Float32Array(224 * 224 * 3).fill(0.25);
    const out = model.run(input);
    assert.equal(out.length, 1001);
    const sum = out.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-3, `probabilities sum to ${sum}`);
    // Deterministic: the same input gives bit-identical output.
    assert.deepEqual(model.run(input), out);
    assert.throws(() => model.run(new Float32Array(10)), /150528/);
  } finally {
    model.free();
  }
});

test('options: top-k, resize filters and ranges', () => {
  const model = wi.loadModel(data(v2Model));
  try {
    const image = data('images/golden-retriever.jpeg');
    assert.equal(model.classify(image, { topK: 1 }).length, 1);
    for (const resize of ['bilinear', 'nearest', 'bicubic']) {
      assert.equal(model.classify(image, { topK: 1, resize })[0].index, 208, resize);
    }
    const usual = model.classify(image, { topK: 1 })[0];
    const otherRange = model.classify(image, { topK: 1, range: '[0,255]' })[0];
    assert.notDeepEqual(otherRange, usual, 'the range reaches the preprocessing');
    assert.throws(() => model.classify(image, { range: 'weird' }), /range/);
    assert.throws(() => model.classify(image, { resize: 'lanczos' }), /resize/);
    assert.throws(() => model.classify(image, { topK: 0 }), /topK/);
  } finally {
    model.free();
  }
  assert.throws(() => model.classify(data('images/golden-retriever.jpeg')), /freed/);
});
