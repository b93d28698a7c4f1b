// The TF.js loader inside the wasm module (node --test): model_load_tfjs through the Node
// host's loadModel({ json, weights }), every TF.js row of expected.tsv, the single-buffer form
// through model_load, and the errors (status 3, the weight named).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWasinfer } from '../../hosts/node/lib/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = path.resolve(repoRoot, process.env.WASINFER_DATA ?? path.join('..', 'shared', 'data'));
if (!existsSync(path.join(dataDir, 'expected.tsv'))) {
  throw new Error(`test data not found at ${dataDir} (set WASINFER_DATA to the shared data directory)`);
}
const modelDir = path.join(dataDir, 'models/tfjs/mobilenet_v1_025_224_graph');
const json = readFileSync(path.join(modelDir, 'model.json'));
const weights = readFileSync(path.join(modelDir, 'group1-shard1of1'));
const rows = readFileSync(path.join(dataDir, 'expected.tsv'), 'utf8').split('\n')
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => line.split('\t'))
  .filter(([model]) => model.startsWith('models/tfjs/'));

const wi = await createWasinfer();

test('every TF.js row of expected.tsv through loadModel({ json, weights })', () => {
  assert.ok(rows.length > 0, 'expected.tsv has TF.js rows');
  const model = wi.loadModel({ json, weights: [weights] });
  try {
    for (const [, image, accepted, label] of rows) {
      const [top] = model.classify(readFileSync(path.join(dataDir, image)), { topK: 5, range: '[0,1]' });
      assert.ok(accepted.split(',').map(Number).includes(top.index), `${image}: top-1 ${top.index}, want ${label}`);
    }
  } finally {
    model.free();
  }
});

test('the single-buffer form (model.json NUL shards) through model_load gives the same answer', () => {
  const image = readFileSync(path.join(dataDir, 'images/burger.jpg'));
  const a = wi.loadModel({ json, weights });
  const b = wi.loadModel(Buffer.concat([json, Buffer.from([0]), weights]));
  try {
    assert.deepEqual(b.classify(image, { range: '[0,1]' }), a.classify(image, { range: '[0,1]' }));
  } finally {
    a.free();
    b.free();
  }
});

test('short or missing weights fail with status 3 naming what is missing', () => {
  assert.throws(() => wi.loadModel({ json, weights: weights.subarray(0, weights.length - 1) }), (e) => {
    assert.equal(e.status, 3);
    assert.match(e.message, /tfjs: weight 'module\/MobilenetV1\/Logits\/Conv2d_1c_1x1\/biases' needs bytes/);
    return true;
  });
  assert.throws(() => wi.loadModel({ json }), (e) => e.status === 3 && /none were given/.test(e.message));
  assert.throws(() => wi.loadModel({ json: '{"modelTopology":{"node":[{"name":"x","op":"Foo"}]}}' }),
    (e) => e.status === 4 && /tfjs: node 'x': unsupported op 'Foo'/.test(e.message));
});
