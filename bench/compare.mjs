// The side-by-side benchmark: wasinfer (native 1 and 2 threads, wasm in Node) against
// onnxruntime-node (1 and 2 threads), onnxruntime-web (wasm SIMD) and TensorFlow.js's wasm
// backend, on the generated MobileNet V2 1.0 and 1.4 (identical weights in every format).
//
//   node bench/compare.mjs [--models bench/models] [--out bench/results] [--rounds 8]
//        [--runs 20] [--warmup 3] [--sizes 1.0,1.4] [--only id,id,...] [--build build] [--tolerance 1e-4]
//        [--runners]
//
// Every (size, runtime) is one fresh process per round, and the rounds are interleaved
// (round-robin, the order rotated each round), so load on the shared machine spreads over
// everybody instead of landing on one runtime. Before the rounds, each runtime runs once on
// the fixed input and dumps its output for the agreement check (exit status 1 when a
// runtime's probabilities differ from onnxruntime-node's by more than --tolerance or its
// top-1 differs); a runtime that cannot run is reported and left out. Writes results.json,
// results.md and latency.svg.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { quantile } from './peers/common.mjs';
import { GOALS, renderMarkdown } from './report.mjs';
import { renderSvg } from './chart.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

const { values: opts } = parseArgs({
  options: {
    models: { type: 'string', default: join(here, 'models') },
    out: { type: 'string', default: join(here, 'results') },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '8' },
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '20' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '3' },
    sizes: { type: 'string', default: process.env.BENCH_SIZES ?? '1.0,1.4' },
    only: { type: 'string', default: process.env.BENCH_ONLY ?? '' },
    build: { type: 'string', default: process.env.BUILD ?? join(root, 'build') },
    // Time wasinfer with the harness's runners rather than the CLIs: they also report CPU
    // time per inference, the figure that other load on a shared machine does not inflate.
    runners: { type: 'boolean', default: process.env.BENCH_RUNNERS === '1' },
    tolerance: { type: 'string', default: process.env.BENCH_TOLERANCE ?? '1e-4' },
    runner: { type: 'string', default: process.env.BENCH_RUNNER ?? join(root, 'build-bench', 'wasinfer-run') },
  },
});
const rounds = Number(opts.rounds);
const runs = Number(opts.runs);
const warmup = Number(opts.warmup); // untimed runs after the first, the same for everybody
const tolerance = Number(opts.tolerance); // max |delta| of probabilities between runtimes
const manifest = JSON.parse(readFileSync(join(opts.models, 'manifest.json'), 'utf8'));
const inputPath = join(opts.models, manifest.input.file);
const dumpDir = join(opts.models, 'outputs'); // not committed, unlike opts.out
mkdirSync(dumpDir, { recursive: true });

const cli = join(opts.build, 'wasinfer');
const node = process.execPath;
const peer = (name) => join(here, 'peers', `${name}.mjs`);

// The CLIs time wasinfer when their `bench --json` works: `build/wasinfer bench` natively and
// `node hosts/node/bin/wasinfer.js bench` for the wasm build. Otherwise the harness's own
// runners (build-bench/wasinfer-run, bench/peers/wasinfer-wasm.mjs: the same public APIs)
// do. Probed once each; the outputs for the agreement check always come from the runners.
const nodeCli = join(root, 'hosts', 'node', 'bin', 'wasinfer.js');
const cliWorks = {};
function cliBenchWorks(kind, files) {
  if (opts.runners) cliWorks[kind] = false;
  if (!(kind in cliWorks)) {
    const argv = kind === 'native' ? [cli] : [node, nodeCli];
    cliWorks[kind] = existsSync(argv.at(-1)) && !runJson([...argv, 'bench', '--model', files.tf, '--runs', '1', '--warmup', '0', '--json']).error;
    if (!cliWorks[kind]) process.stderr.write(`compare: ${argv.at(-1)} bench --json not usable; timing ${kind} wasinfer with the harness's runner\n`);
  }
  return cliWorks[kind];
}

// Each runtime: how to time it (argv given model files, threads, runs) and how to dump its
// output (argv with --dump). `wasinfer: true` marks our rows, the rest are peers.
const timing = () => ['--runs', String(runs), '--warmup', String(warmup)];

function runtimes() {
  const nativeTimer = (threads) => (files) =>
    cliBenchWorks('native', files)
      ? [cli, 'bench', '--model', files.tf, '--threads', String(threads), ...timing(), '--json']
      : [opts.runner, '--model', files.tf, '--input', inputPath, '--threads', String(threads), ...timing()];
  const nativeDump = (threads) => (files, out) =>
    [opts.runner, '--model', files.tf, '--input', inputPath, '--threads', String(threads), '--runs', '1', '--dump', out];
  const nodePeer = (name, file, threads) => ({
    time: (files) => [node, peer(name), '--model', files[file], '--input', inputPath, '--threads', String(threads), ...timing()],
    dump: (files, out) => [node, peer(name), '--model', files[file], '--input', inputPath, '--threads', String(threads), '--runs', '1', '--dump', out],
  });
  // The wasm module in Node: `nodeArgv` starts Node so that the host picks the module of the
  // row (the SIMD128 one with WASINFER_RELAXED=0; the relaxed-SIMD one where Node validates
  // relaxed SIMD, in Node 20 behind --experimental-wasm-relaxed-simd).
  const wasmRow = (id, label, nodeArgv) => {
    const viaPeer = (files, extra) => [...nodeArgv, peer('wasinfer-wasm'), '--model', files.tf, '--input', inputPath, '--threads', '1', ...extra];
    return {
      id, label, wasinfer: true, threads: 1,
      time: (files) => cliBenchWorks('wasm', files)
        ? [...nodeArgv, nodeCli, 'bench', '--model', files.tf, '--threads', '1', ...timing(), '--json']
        : viaPeer(files, timing()),
      dump: (files, out) => viaPeer(files, ['--runs', '1', '--dump', out]),
    };
  };
  return [
    { id: 'wasinfer-native-1t', label: 'wasinfer native, 1 thread', wasinfer: true, threads: 1,
      time: nativeTimer(1), dump: nativeDump(1) },
    { id: 'wasinfer-native-2t', label: 'wasinfer native, 2 threads', wasinfer: true, threads: 2,
      time: nativeTimer(2), dump: nativeDump(2) },
    wasmRow('wasinfer-wasm', 'wasinfer wasm SIMD in Node, 1 thread', ['/usr/bin/env', 'WASINFER_RELAXED=0', node]),
    wasmRow('wasinfer-wasm-relaxed', 'wasinfer wasm relaxed SIMD in Node, 1 thread',
      [node, '--experimental-wasm-relaxed-simd']),
    { id: 'ort-node-1t', label: 'onnxruntime-node 1.30, 1 thread', threads: 1, ...nodePeer('ort-node', 'onnx', 1) },
    { id: 'ort-node-2t', label: 'onnxruntime-node 1.30, 2 threads', threads: 2, ...nodePeer('ort-node', 'onnx', 2) },
    { id: 'ort-web', label: 'onnxruntime-web 1.30 wasm SIMD, 1 thread', threads: 1, ...nodePeer('ort-web', 'onnx', 1) },
    { id: 'tfjs-wasm', label: 'tfjs-backend-wasm 4.22 SIMD, 1 thread', threads: 1, ...nodePeer('tfjs-wasm', 'tfjs', 1) },
  ].filter((r) => !opts.only || opts.only.split(',').includes(r.id));
}

// GNU time measures every child's peak RSS from outside (getrusage of the waited-for child),
// the same way for every runtime, including the wasm CLI, which cannot see its host's memory.
const gnuTime = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p));
const rssFile = join(os.tmpdir(), `wasinfer-bench-rss-${process.pid}`);

// Runs argv; returns {status, stdout, stderr, error, rss_mb} (rss_mb NaN without GNU time).
function spawnMeasured(argv) {
  const full = gnuTime ? [gnuTime, '-f', '%M', '-o', rssFile, ...argv] : argv;
  const r = spawnSync(full[0], full.slice(1), { cwd: root, encoding: 'utf8', timeout: 300_000 });
  let rss = NaN;
  if (gnuTime && existsSync(rssFile)) {
    const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
    if (Number.isFinite(kb) && kb > 0) rss = kb / 1024;
    rmSync(rssFile, { force: true });
  }
  return { ...r, rss_mb: rss };
}

// Runs argv; returns its last JSON line of stdout (with external_rss_mb), or {error}.
function runJson(argv) {
  const r = spawnMeasured(argv);
  const line = (r.stdout || '').trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) {
    // The first line of a Node error is its message; a C program's last line is.
    const errLines = (r.stderr || '').trim().split('\n').filter((l) => l && !/^Command exited with/.test(l));
    const why = r.error?.message ?? errLines.find((l) => /Error\b/.test(l)) ?? errLines.at(-1) ?? `exit ${r.status ?? r.signal}`;
    return { error: why.trim().slice(0, 300) };
  }
  try {
    return { ...JSON.parse(line), external_rss_mb: r.rss_mb };
  } catch {
    return { error: `unparsable output: ${line.slice(0, 200)}` };
  }
}

// Peak RSS of `wasinfer classify` on one image (issue 5's memory goal), NaN when it cannot run.
function classifyRss(files) {
  const image = join(resolve(root, process.env.WASINFER_DATA ?? '../shared/data'), 'images', 'grace_hopper.jpg');
  if (!existsSync(cli) || !existsSync(image) || !gnuTime) return NaN;
  const r = spawnMeasured([cli, 'classify', '--model', files.tf, image]);
  return r.status === 0 ? r.rss_mb : NaN;
}

// {tf, onnx, tfjs} -> absolute paths of one size's generated files.
function modelFiles(size) {
  return Object.fromEntries(Object.entries(manifest.models[size].files).map(([k, v]) => [k, join(opts.models, v)]));
}

function readF32(path) {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function argmax(v) {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

function loadSummary() {
  const [one, five, fifteen] = os.loadavg();
  return { one: +one.toFixed(2), five: +five.toFixed(2), fifteen: +fifteen.toFixed(2) };
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const median = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5);

function peakRss(samples) {
  const external = samples.map((s) => s.external_rss_mb).filter(Number.isFinite);
  if (external.length) return Math.max(...external);
  const own = samples.map((s) => s.peak_rss_mb).filter((x) => x >= 0);
  return own.length ? Math.max(...own) : NaN;
}

// Every row is summarised the same way, whatever its runner reports (the CLIs give only
// their summary): the median over processes of each process's median and p90, the fastest
// run of all, the median load and first inference, the largest peak RSS.
function aggregate(samples, macs) {
  const ok = samples.filter((s) => !s.error);
  if (!ok.length) return { error: samples.find((s) => s.error)?.error ?? 'no samples' };
  const medianMs = median(ok.map((s) => s.median_ms));
  return {
    processes: ok.length,
    load_ms: median(ok.map((s) => s.load_ms)),
    first_ms: median(ok.map((s) => s.first_ms)),
    median_ms: medianMs,
    p90_ms: median(ok.map((s) => s.p90_ms)),
    min_ms: Math.min(...ok.map((s) => s.min_ms ?? s.median_ms)),
    cpu_ms: ok.every((s) => Number.isFinite(s.cpu_median_ms)) ? median(ok.map((s) => s.cpu_median_ms)) : NaN,
    process_medians_ms: ok.map((s) => s.median_ms),
    // Measured from outside when GNU time is there; else as the runner reports it (the wasm
    // CLI reports -1: the guest cannot see its host's memory).
    peak_rss_mb: peakRss(ok),
    self_reported_rss_mb: Math.max(...ok.map((s) => s.peak_rss_mb)),
    gflops: (2 * macs) / (medianMs * 1e6),
    failures: samples.length - ok.length,
  };
}

function main() {
  const list = runtimes();
  const sizes = opts.sizes.split(',').filter((s) => manifest.models[s]);
  if (!sizes.length) throw new Error(`no models for sizes ${opts.sizes} in ${opts.models}`);
  const started = new Date().toISOString();
  const loadBefore = loadSummary();
  const t0 = Date.now();

  // Agreement first (round 0's dumps): also tells which runtimes work at all.
  const agreement = {};
  const usable = {};
  for (const size of sizes) {
    const files = modelFiles(size);
    agreement[size] = {};
    usable[size] = [];
    for (const rt of list) {
      const out = join(dumpDir, `${rt.id}_${size}.f32`);
      const res = runJson(rt.dump(files, out));
      if (res.error) {
        agreement[size][rt.id] = { error: res.error };
        process.stderr.write(`compare: ${rt.id} ${size}: skipped: ${res.error}\n`);
        continue;
      }
      usable[size].push({ rt, files });
      agreement[size][rt.id] = { output: relative(root, out) };
    }
    const refId = agreement[size]['ort-node-1t']?.output ? 'ort-node-1t' : Object.keys(agreement[size]).find((k) => agreement[size][k].output);
    if (refId) {
      const ref = readF32(join(root, agreement[size][refId].output));
      for (const [id, a] of Object.entries(agreement[size])) {
        if (!a.output) continue;
        const v = readF32(join(root, a.output));
        let d = v.length === ref.length ? 0 : Infinity;
        for (let i = 0; i < Math.min(v.length, ref.length); i++) d = Math.max(d, Math.abs(v[i] - ref[i]));
        const agrees = d <= tolerance && argmax(v) === argmax(ref);
        Object.assign(a, { reference: refId, max_abs_delta: d, top1: argmax(v), top1_matches: argmax(v) === argmax(ref), agrees });
        if (!agrees) process.stderr.write(`compare: ${id} ${size} DISAGREES with ${refId}: max |delta| ${d}\n`);
      }
    }
  }

  // Timed rounds, interleaved: round r starts at the r-th runtime.
  const samples = {};
  for (let round = 0; round < rounds; round++) {
    for (const size of sizes) {
      const jobs = usable[size];
      for (let k = 0; k < jobs.length; k++) {
        const { rt, files } = jobs[(k + round) % jobs.length];
        const res = runJson(rt.time(files));
        (samples[`${size}/${rt.id}`] ??= []).push(res);
        const shown = res.error ? `error: ${res.error}` : `median ${res.median_ms} ms`;
        process.stderr.write(`compare: round ${round + 1}/${rounds} ${size} ${rt.id}: ${shown}\n`);
      }
    }
  }

  const results = {};
  for (const size of sizes) {
    results[size] = {};
    for (const rt of list) {
      const s = samples[`${size}/${rt.id}`];
      results[size][rt.id] = s ? aggregate(s, manifest.models[size].macs) : { error: agreement[size][rt.id]?.error ?? 'not run' };
      results[size][rt.id].label = rt.label;
      results[size][rt.id].wasinfer = Boolean(rt.wasinfer);
      results[size][rt.id].threads = rt.threads;
      results[size][rt.id].timed_by = rt.id.startsWith('wasinfer-native')
        ? (cliWorks.native ? `${relative(root, cli)} bench --json` : relative(root, opts.runner))
        : rt.id.startsWith('wasinfer-wasm')
          ? `${rt.id === 'wasinfer-wasm-relaxed' ? 'node --experimental-wasm-relaxed-simd ' : 'WASINFER_RELAXED=0 node '}${cliWorks.wasm ? 'hosts/node/bin/wasinfer.js bench --json' : 'bench/peers/wasinfer-wasm.mjs'}`
          : `bench/peers/${rt.id.replace(/-[12]t$/, '')}.mjs`;
    }
  }

  // Paired ratios: in each round, our median over the peer's, both measured minutes apart at
  // most; the median over rounds cancels load that drifts slower than a round.
  const paired = {};
  for (const size of sizes) {
    paired[size] = {};
    for (const [o, p, field] of GOALS) {
      if (field !== 'median_ms') continue;
      const a = samples[`${size}/${o}`] ?? [];
      const b = samples[`${size}/${p}`] ?? [];
      const ratios = a.map((s, r) => (!s.error && b[r] && !b[r].error ? s.median_ms / b[r].median_ms : NaN)).filter(Number.isFinite);
      if (ratios.length) paired[size][`${o}/${p}`] = median(ratios);
    }
  }

  const classify = Object.fromEntries(sizes.map((size) => [size, {
    peak_rss_mb: classifyRss(modelFiles(size)),
    command: 'wasinfer classify --model M.pb grace_hopper.jpg',
  }]));

  const report = {
    started,
    seconds: Math.round((Date.now() - t0) / 1000),
    command: `node bench/compare.mjs --rounds ${rounds} --runs ${runs} --warmup ${warmup} --sizes ${sizes.join(',')}${opts.runners ? ' --runners' : ''}`,
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, load_before: loadBefore, load_after: loadSummary() },
    commit: gitCommit(),
    // what wasinfer was built from, when not this checkout (BENCH_ENGINE_COMMIT)
    engine_commit: process.env.BENCH_ENGINE_COMMIT ?? gitCommit(),
    rounds,
    runs_per_process: runs,
    warmup_per_process: warmup,
    models: Object.fromEntries(sizes.map((s) => [s, { parameters: manifest.models[s].parameters, macs: manifest.models[s].macs }])),
    agreement,
    paired,
    classify,
    rss_measured_by: gnuTime ? 'GNU time (%M) around each process' : 'each runner (getrusage)',
    results,
  };
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, 'results.json'), JSON.stringify(report, null, 2) + '\n');
  const md = renderMarkdown(report);
  writeFileSync(join(opts.out, 'results.md'), md);
  writeFileSync(join(opts.out, 'latency.svg'), renderSvg(report));
  process.stdout.write(md);
  const disagreeing = Object.values(agreement).flatMap((a) => Object.entries(a).filter(([, v]) => v.agrees === false).map(([k]) => k));
  if (disagreeing.length) {
    process.stderr.write(`compare: outputs disagree beyond ${tolerance}: ${disagreeing.join(', ')}\n`);
    process.exitCode = 1;
  }
}

main();
