// One source for native and wasm: each module's (SIMD128, scalar, relaxed SIMD) top-5 equals the
// native CLI's (`build/wasinfer classify --json`), probabilities within 1e-5, on every .pb row's
// image.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { createWasinfer, relaxedSimdSupported } from '../lib/index.js';
import { data, dataDir, expectedRows, nativeCli, rangeFor } from './helpers.mjs';

const cli = nativeCli();
const rows = expectedRows().filter((row) => row.model.endsWith('.pb'));
const models = [...new Set(rows.map((r) => r.model))];

function nativeTop5(modelFile, images) {
  const range = rangeFor(modelFile).replace(/[[\]]/g, '');
  const out = execFileSync(cli, ['classify', '--model', path.join(dataDir, modelFile), '--top', '5',
    '--range', range, '--json', ...images.map((i) => path.join(dataDir, i))], { encoding: 'utf8' });
  return out.trim().split('\n').map((line) => JSON.parse(line));
}

// The relaxed-SIMD module needs an engine that validates it: Node 20 only with
// --experimental-wasm-relaxed-simd, which CTest's node_native-parity-relaxed run passes (with
// WASINFER_TEST_RELAXED=1, so there the relaxed module is required, never quietly left out).
const flavors = [{ name: 'SIMD128', simd: true, relaxed: false }, { name: 'scalar', simd: false, relaxed: false }];
if (relaxedSimdSupported()) flavors.push({ name: 'relaxed-SIMD', simd: true, relaxed: true });
if (process.env.WASINFER_TEST_RELAXED === '1') {
  test('this run covers the relaxed-SIMD module', () => {
    assert.ok(relaxedSimdSupported(), 'node was not started with --experimental-wasm-relaxed-simd');
  });
}

for (const { name, simd, relaxed } of flavors) {
  for (const modelFile of models) {
    test(`${name} module vs native CLI: ${modelFile}`, async () => {
      const wi = await createWasinfer({ simd, relaxed });
      assert.equal(wi.relaxed, relaxed);
      assert.match(wi.wasmPath, relaxed ? /-relaxed\.wasm$/ : simd ? /wasinfer\.wasm$/ : /-scalar\.wasm$/);
      const model = wi.loadModel(data(modelFile));
      const images = rows.filter((r) => r.model === modelFile).map((r) => r.image);
      const native = nativeTop5(modelFile, images);
      assert.equal(native.length, images.length);
      images.forEach((image, i) => {
        const wasm = model.classify(data(image), { topK: 5, range: rangeFor(modelFile) });
        assert.deepEqual(wasm.map((c) => c.index), native[i].top.map((c) => c.index), image);
        wasm.forEach((c, k) => {
          const diff = Math.abs(c.prob - native[i].top[k].prob);
          assert.ok(diff <= 1e-5, `${image} #${k}: wasm ${c.prob} vs native ${native[i].top[k].prob}`);
        });
      });
      model.free();
    });
  }
}
