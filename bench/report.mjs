// The markdown report of bench/compare.mjs: per model a table of every runtime, the ratio of
// each wasinfer row to each peer, and the issue's goals as measured ratios.
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

// [wasinfer row, peer row, field, goal]: the targets of issue 5.
export const GOALS = [
  ['wasinfer-native-1t', 'ort-node-1t', 'median_ms', 0.9],
  ['wasinfer-native-2t', 'ort-node-2t', 'median_ms', 0.9],
  ['wasinfer-wasm', 'tfjs-wasm', 'median_ms', 0.75],
  ['wasinfer-native-1t', 'ort-node-1t', 'load_ms', 0.25],
  ['wasinfer-classify', 'ort-node-1t', 'peak_rss_mb', 0.5], // `wasinfer classify`'s process
  ['wasinfer-native-1t', 'ort-node-1t', 'peak_rss_mb', 0.5],
];

const RATIO_FIGURES = ['median_ms', 'p90_ms', 'min_ms', 'cpu_ms', 'load_ms', 'first_ms', 'peak_rss_mb'];

export function ratio(results, ours, peer, field) {
  const a = results[ours]?.[field];
  const b = results[peer]?.[field];
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN;
}

function modelSection(size, model, results, agreement, classify, paired) {
  const ids = Object.keys(results);
  const lines = [
    `### MobileNet V2 ${size}, 224×224 (${(model.parameters / 1e6).toFixed(2)} M parameters, ${(model.macs / 1e6).toFixed(0)} M MACs)`,
    '',
    '| runtime | load ms | first ms | median ms | p90 ms | min ms | CPU ms | GFLOP/s | peak RSS MB | max abs Δ vs ORT | top-1 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const id of ids) {
    const r = results[id];
    const a = agreement[id] ?? {};
    if (r.error) {
      lines.push(`| ${r.label} | not run: ${r.error.replace(/\|/g, '/')} | | | | | | | | | |`);
      continue;
    }
    const delta = Number.isFinite(a.max_abs_delta) ? a.max_abs_delta.toExponential(1) : '–';
    const top = a.top1 === undefined ? '–' : `${a.top1}${a.top1_matches ? '' : ' (differs)'}`;
    lines.push(`| ${r.wasinfer ? '**' + r.label + '**' : r.label} | ${fmt(r.load_ms)} | ${fmt(r.first_ms)} | ${fmt(r.median_ms, 2)} | ${fmt(r.p90_ms, 2)} | ${fmt(r.min_ms, 2)} | ${fmt(r.cpu_ms, 2)} | ${fmt(r.gflops)} | ${fmt(r.peak_rss_mb, 0)} | ${delta} | ${top} |`);
  }
  const ours = ids.filter((id) => results[id].wasinfer && !results[id].error);
  const peers = ids.filter((id) => !results[id].wasinfer && !results[id].error);
  if (ours.length && peers.length) {
    lines.push('', 'Each wasinfer figure as a ratio to each peer\'s (below 1: wasinfer is faster or smaller):', '');
    lines.push(`| wasinfer | figure | ${peers.map((p) => results[p].label).join(' | ')} |`);
    lines.push(`|---|---|${peers.map(() => '---:').join('|')}|`);
    for (const o of ours) {
      for (const field of RATIO_FIGURES) {
        lines.push(`| ${results[o].label} | ${field} | ${peers.map((p) => fmt(ratio(results, o, p, field), 2)).join(' | ')} |`);
      }
    }
  }
  const withClassify = { ...results, 'wasinfer-classify': { peak_rss_mb: classify?.peak_rss_mb } };
  lines.push('', 'Goals of issue 5 (ratio wasinfer / peer; met: by the ratio of medians. For latency also the paired ratio, the median over rounds of the two medians measured in the same round; the ratio of the fastest runs; and, for one thread, the ratio of CPU time per inference (with --runners): all three less disturbed by other load on the machine):', '',
    '| wasinfer | peer | measure | ratio | paired ratio | ratio of min | CPU-time ratio | goal | met |', '|---|---|---|---:|---:|---:|---:|---:|---|');
  for (const [o, p, field, goal] of GOALS) {
    const q = ratio(withClassify, o, p, field);
    const qMin = field === 'median_ms' ? ratio(withClassify, o, p, 'min_ms') : NaN;
    const met = Number.isFinite(q) ? (q <= goal ? 'yes' : 'no') : 'not measured';
    const qPaired = field === 'median_ms' ? paired?.[`${o}/${p}`] ?? NaN : NaN;
    // CPU time is latency only for one thread.
    const qCpu = field === 'median_ms' && results[o]?.threads === 1 ? ratio(withClassify, o, p, 'cpu_ms') : NaN;
    lines.push(`| ${o} | ${p} | ${field} | ${fmt(q, 2)} | ${fmt(qPaired, 2)} | ${fmt(qMin, 2)} | ${fmt(qCpu, 2)} | ≤ ${goal} | ${met} |`);
  }
  return lines.join('\n');
}

export function renderMarkdown(report) {
  const m = report.machine;
  const head = [
    `## Side-by-side benchmark, ${report.started.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `\`${report.command}\` (commit ${report.commit}${report.engine_commit && report.engine_commit !== report.commit ? `, wasinfer built from ${report.engine_commit}` : ''}, ${report.seconds} s): ${report.rounds} interleaved rounds, ` +
      `each runtime a fresh process per round running the first inference, ${report.warmup_per_process ?? 0} untimed warm-up runs and ${report.runs_per_process} timed ones; ` +
      `median and p90 the median over processes of each one's median and p90, min the fastest run of all, load and first inference the median over rounds, peak RSS the maximum. ` +
      `min is the figure least disturbed by other load. GFLOP/s = 2 × MACs / median. Peak RSS measured by ${report.rss_measured_by ?? 'each runner'}; wasinfer-classify is \`wasinfer classify --model M.pb grace_hopper.jpg\`. ${m.cpu}, ${m.cores} cores, Node ${m.node}; load average before ${m.load_before.one}/${m.load_before.five}/${m.load_before.fifteen}, after ${m.load_after.one}/${m.load_after.five}/${m.load_after.fifteen} (1/5/15 min; others were building on the same cores).`,
    '',
  ];
  const body = Object.keys(report.results).map((size) =>
    modelSection(size, report.models[size], report.results[size], report.agreement[size] ?? {}, report.classify?.[size], report.paired?.[size]));
  return head.join('\n') + '\n' + body.join('\n\n') + '\n';
}
