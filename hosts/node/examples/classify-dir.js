#!/usr/bin/env node
// The original test.js done right: classify every image in a directory with one model, loaded
// once, printing each image's inference time and prediction.
//
//   node hosts/node/examples/classify-dir.js DIR [--model M.pb] [--labels L.txt] [--range R] [--top K]
//
// Defaults: the 1.0 MobileNet V2 and the ImageNet labels from $WASINFER_DATA (../shared/data).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createWasinfer } from '../lib/index.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.gif']);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataDir = path.resolve(repoRoot, process.env.WASINFER_DATA ?? '../shared/data');

function usage(message) {
  process.stderr.write(`${message}\nusage: classify-dir.js DIR [--model M.pb] [--labels L.txt] [--range [-1,1]|[0,1]|[0,255]] [--top K]\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string', default: path.join(dataDir, 'models/tf/mobilenet_v2_1.0_224_frozen.pb') },
      labels: { type: 'string', default: path.join(dataDir, 'labels/imagenet_1001.txt') },
      range: { type: 'string', default: '[-1,1]' },
      top: { type: 'string', default: '1' },
    },
  });
} catch (e) {
  usage(e.message);
}
const { values, positionals } = parsed;
if (positionals.length !== 1) usage('classify-dir: give one directory');
const dir = positionals[0];

try {
  const wi = await createWasinfer();
  const t0 = performance.now();
  const model = wi.loadModel(readFileSync(values.model), { labels: readFileSync(values.labels) });
  console.log(`module ${path.basename(wi.wasmPath)} (${wi.simd ? 'SIMD128' : 'scalar'}): compile ${wi.timing.compileMs.toFixed(1)} ms, instantiate ${wi.timing.instantiateMs.toFixed(1)} ms`);
  console.log(`model ${path.basename(values.model)} loaded in ${(performance.now() - t0).toFixed(1)} ms`);
  const files = readdirSync(dir).filter((f) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase())).sort();
  let failures = 0;
  for (const file of files) {
    const bytes = readFileSync(path.join(dir, file));
    const start = performance.now();
    try {
      const top = model.classify(bytes, { topK: Number(values.top), range: values.range });
      const ms = (performance.now() - start).toFixed(1);
      const answer = top.map((c) => `${c.label ?? c.index} (${c.prob.toFixed(3)})`).join(', ');
      console.log(`${file}\t${ms} ms\t${answer}`);
    } catch (e) {
      failures++;
      console.log(`${file}\terror: ${e.message}`);
    }
  }
  model.free();
  process.exitCode = failures ? 1 : 0;
} catch (e) {
  process.stderr.write(`classify-dir: ${e.message}\n`);
  process.exitCode = 1;
}
