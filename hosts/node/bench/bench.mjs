#!/usr/bin/env node
// Benchmark (not a test): the wasm module in Node, SIMD128 and scalar, beside the native CLI.
//   node hosts/node/bench/bench.mjs [--model M.pb] [--image I] [--runs N] [--native PATH]
// Reports module compile and instantiate time, model load time and per-image inference time
// (median and min over N runs, after one warm-up; decode + preprocess + inference, as
// model.classify does them); then runs `<native> bench --model M --runs N` (inference only, on a
// fixed input) and the same bench subcommand in wasm under node:wasi, for comparison.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createWasinfer, simdSupported } from '../lib/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataDir = path.resolve(repoRoot, process.env.WASINFER_DATA ?? '../shared/data');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: path.join(dataDir, 'models/tf/mobilenet_v2_1.0_224_frozen.pb') },
    image: { type: 'string', default: path.join(dataDir, 'images/grace_hopper.jpg') },
    runs: { type: 'string', default: '20' },
    native: { type: 'string', default: path.join(repoRoot, 'build', 'wasinfer') },
  },
});
const runs = Number(values.runs);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;

async function benchVariant(simd) {
  const wi = await createWasinfer({ simd });
  const modelBytes = readFileSync(values.model);
  const image = readFileSync(values.image);
  const t0 = performance.now();
  const model = wi.loadModel(modelBytes);
  const loadMs = performance.now() - t0;
  const tFirst = performance.now();
  model.classify(image); // the first call also pays V8's lazy compilation of the hot functions
  const firstMs = performance.now() - tFirst;
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    model.classify(image);
    times.push(performance.now() - start);
  }
  const top = model.classify(image, { topK: 1 })[0];
  model.free();
  return { name: simd ? 'wasm SIMD128' : 'wasm scalar', compileMs: wi.timing.compileMs,
    instantiateMs: wi.timing.instantiateMs, loadMs, firstMs, medianMs: median(times),
    minMs: Math.min(...times), top };
}

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, model ${path.basename(values.model)}, image ${path.basename(values.image)}, ${runs} runs`);
console.log('variant        compile     instantiate  model load   first classify  classify median  classify min  top-1');
const variants = simdSupported() ? [true, false] : [false];
for (const simd of variants) {
  const r = await benchVariant(simd);
  console.log(`${r.name.padEnd(14)} ${fmt(r.compileMs).padEnd(11)} ${fmt(r.instantiateMs).padEnd(12)} ${fmt(r.loadMs).padEnd(12)} ${fmt(r.firstMs).padEnd(15)} ${fmt(r.medianMs).padEnd(16)} ${fmt(r.minMs).padEnd(13)} ${r.top.index} (${r.top.prob.toFixed(4)})`);
}

if (existsSync(values.native)) {
  const args = ['bench', '--model', values.model, '--runs', String(runs)];
  console.log(`\nnative: ${path.relative(process.cwd(), values.native) || values.native} ${args.join(' ')}`);
  const native = spawnSync(values.native, args, { encoding: 'utf8' });
  process.stdout.write(native.stdout);
  if (native.status !== 0) process.stdout.write(`(native bench exited ${native.status}: ${native.stderr.trim()})\n`);
} else {
  console.log(`\nnative CLI not found at ${values.native} (make native)`);
}
const wasmCli = [path.join(repoRoot, 'hosts', 'node', 'bin', 'wasinfer.js'), 'bench', '--model', values.model, '--runs', String(runs)];
console.log(`\nwasm CLI: node ${wasmCli.join(' ')}`);
const wasm = spawnSync(process.execPath, wasmCli, { encoding: 'utf8' });
process.stdout.write(wasm.stdout);
if (wasm.status !== 0) process.stdout.write(`(wasm bench exited ${wasm.status}: ${wasm.stderr.trim()})\n`);
