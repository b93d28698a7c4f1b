// The harness's arithmetic and reports, on synthetic numbers: node --test bench/test
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantile, toNchw } from '../peers/common.mjs';
import { GOALS, ratio, renderMarkdown } from '../report.mjs';
import { renderSvg } from '../chart.mjs';

test('quantile interpolates between order statistics', () => {
  assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.ok(Math.abs(quantile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9) - 91) < 1e-9);
  assert.equal(quantile([7], 0.9), 7);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('toNchw moves channels first', () => {
  // [1, 2, 2, 3] NHWC: value = 100*y + 10*x + c
  const nhwc = new Float32Array(12);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) for (let c = 0; c < 3; c++) nhwc[(y * 2 + x) * 3 + c] = 100 * y + 10 * x + c;
  const nchw = toNchw(nhwc, 2, 2, 3);
  assert.deepEqual(Array.from(nchw), [0, 10, 100, 110, 1, 11, 101, 111, 2, 12, 102, 112]);
});

function syntheticReport() {
  const row = (label, wasinfer, median, extra = {}) => ({
    label, wasinfer, processes: 2, samples: 10, load_ms: 100, first_ms: median * 2, median_ms: median,
    p90_ms: median * 1.2, min_ms: median * 0.9, cpu_ms: median * 0.8, threads: 1, peak_rss_mb: 100, gflops: 1164 / median, failures: 0, ...extra,
  });
  return {
    started: '2026-01-02T03:04:05.000Z', seconds: 12, command: 'node bench/compare.mjs', commit: 'abc1234',
    rounds: 2, runs_per_process: 5,
    machine: { cpu: 'test cpu', cores: 2, node: 'v20', load_before: { one: 1, five: 1, fifteen: 1 }, load_after: { one: 1, five: 1, fifteen: 1 } },
    models: { '1.4': { parameters: 6062633, macs: 582197616 } },
    classify: { '1.4': { peak_rss_mb: 30 } },
    paired: { '1.4': { 'wasinfer-native-1t/ort-node-1t': 0.65 } },
    agreement: { '1.4': { 'ort-node-1t': { max_abs_delta: 0, top1: 5, top1_matches: true }, 'wasinfer-native-1t': { max_abs_delta: 2e-6, top1: 5, top1_matches: true } } },
    results: {
      '1.4': {
        'wasinfer-native-1t': row('wasinfer native, 1 thread', true, 10, { load_ms: 20, peak_rss_mb: 40 }),
        'wasinfer-wasm': row('wasinfer wasm', true, 40),
        'ort-node-1t': row('onnxruntime-node, 1 thread', false, 14),
        'tfjs-wasm': row('tfjs wasm', false, 48),
        'ort-node-2t': { label: 'onnxruntime-node, 2 threads', wasinfer: false, error: 'boom | crashed' },
      },
    },
  };
}

test('ratios and goals', () => {
  const r = syntheticReport().results['1.4'];
  assert.ok(Math.abs(ratio(r, 'wasinfer-native-1t', 'ort-node-1t', 'median_ms') - 10 / 14) < 1e-12);
  assert.ok(Number.isNaN(ratio(r, 'wasinfer-native-2t', 'ort-node-2t', 'median_ms')));
  assert.equal(GOALS.length, 6);
});

test('markdown report: rows, ratios, goals met and not met, errors escaped', () => {
  const md = renderMarkdown(syntheticReport());
  assert.match(md, /\| \*\*wasinfer native, 1 thread\*\* \| 20\.0 \| 20\.0 \| 10\.00 \| 12\.00 \| 9\.00 \| 8\.00 \|/);
  assert.match(md, /\| wasinfer-native-1t \| ort-node-1t \| median_ms \| 0\.71 \| 0\.65 \| 0\.71 \| 0\.71 \| ≤ 0\.9 \| yes \|/);
  assert.match(md, /\| wasinfer-wasm \| tfjs-wasm \| median_ms \| 0\.83 \| – \| 0\.83 \| 0\.83 \| ≤ 0\.75 \| no \|/);
  assert.match(md, /\| wasinfer-native-1t \| ort-node-1t \| load_ms \| 0\.20 \| – \| – \| – \| ≤ 0\.25 \| yes \|/);
  assert.match(md, /\| wasinfer-native-2t \| ort-node-2t \| median_ms \| – \| – \| – \| – \| ≤ 0\.9 \| not measured \|/);
  assert.match(md, /\| wasinfer-classify \| ort-node-1t \| peak_rss_mb \| 0\.30 \| – \| – \| – \| ≤ 0\.5 \| yes \|/);
  assert.match(md, /not run: boom \/ crashed/);
  assert.match(md, /2\.0e-6/);
  // every figure of every wasinfer row against every measured peer
  assert.match(md, /\| wasinfer native, 1 thread \| median_ms \| 0\.71 \| 0\.21 \|/);
  assert.match(md, /\| wasinfer native, 1 thread \| peak_rss_mb \| 0\.40 \| 0\.40 \|/);
  assert.match(md, /\| wasinfer wasm \| load_ms \| 1\.00 \| 1\.00 \|/);
});

test('chart: one bar per measured row, wasinfer in its own colour', () => {
  const svg = renderSvg(syntheticReport());
  assert.ok(svg.startsWith('<svg'));
  assert.ok(svg.trim().endsWith('</svg>'));
  const bars = svg.match(/<rect x="300"[^>]*>/g);
  assert.equal(bars.length, 4);
  assert.equal(bars.filter((b) => b.includes('#2b6cb0')).length, 2);
  assert.match(svg, /10\.0 ms/);
});
