// What every peer runner shares: its command line, the fixed input, the timing loop and the
// one JSON line it prints (the same fields as `wasinfer bench --json`).
//
//   node bench/peers/<runner>.mjs --model PATH --input bench/models/input_224.f32
//        [--threads N] [--runs R] [--warmup W] [--dump OUT.f32]
//
// load_ms   model bytes in memory -> session ready (reading the file is not counted)
// first_ms  the first inference (includes lazy work a runtime defers to it)
// then W untimed warm-up runs (default 0), as `wasinfer bench --warmup W` does
// median_ms, p90_ms over the R runs after those; times_ms lists them all so the
//           harness can pool several processes' samples
// cpu_median_ms the median CPU time of the process per timed run (all its threads)
// peak_rss_mb the process's peak resident set (getrusage maxrss)
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

export function parseCommandLine() {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      input: { type: 'string' },
      threads: { type: 'string', default: '1' },
      runs: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '0' },
      dump: { type: 'string' },
    },
  });
  if (!values.model || !values.input) {
    throw new Error('usage: --model PATH --input FILE.f32 [--threads N] [--runs R] [--warmup W] [--dump FILE]');
  }
  const threads = Number(values.threads);
  const runs = Number(values.runs);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`bad --threads ${values.threads}`);
  const warmup = Number(values.warmup);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`bad --runs ${values.runs}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`bad --warmup ${values.warmup}`);
  return { ...values, threads, runs, warmup };
}

// The fixed input, float32 [1, 224, 224, 3] NHWC.
export function readInput(path) {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

// NHWC [1, H, W, C] -> NCHW [1, C, H, W].
export function toNchw(nhwc, h, w, c) {
  const out = new Float32Array(nhwc.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) out[k * h * w + y * w + x] = nhwc[(y * w + x) * c + k];
  return out;
}

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const round3 = (x) => Math.round(x * 1000) / 1000;

// load(): resolves to a session; infer(session): resolves to the output Float32Array.
export async function benchmark(name, args, load, infer, extra = {}) {
  const t0 = performance.now();
  const session = await load();
  const loadMs = performance.now() - t0;

  const t1 = performance.now();
  const output = await infer(session);
  const firstMs = performance.now() - t1;
  if (args.dump) writeFileSync(args.dump, Buffer.from(output.buffer, output.byteOffset, output.byteLength));

  for (let i = 0; i < args.warmup; i++) await infer(session);
  const times = [];
  const cpuTimes = []; // this process's CPU time per run: what other load on the machine does not add
  for (let i = 0; i < args.runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await infer(session);
    times.push(performance.now() - t);
    const dc = process.cpuUsage(c);
    cpuTimes.push((dc.user + dc.system) / 1000);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const result = {
    runtime: name,
    threads: args.threads,
    load_ms: round3(loadMs),
    first_ms: round3(firstMs),
    median_ms: round3(quantile(sorted, 0.5)),
    p90_ms: round3(quantile(sorted, 0.9)),
    peak_rss_mb: round3(process.resourceUsage().maxRSS / 1024),
    runs: args.runs,
    warmup: args.warmup,
    min_ms: round3(sorted[0]),
    cpu_median_ms: round3(quantile([...cpuTimes].sort((a, b) => a - b), 0.5)),
    times_ms: times.map(round3),
    ...extra,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

export async function main(fn) {
  try {
    await fn(parseCommandLine());
  } catch (e) {
    process.stderr.write(`${e.stack || e}\n`);
    process.exitCode = 1;
  }
}
