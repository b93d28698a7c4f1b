// latency.svg: horizontal bars of the median latency of every runtime (p90 as a whisker, CPU
// time per inference as a diamond where measured), one group per model size, wasinfer in blue
// and the peers in grey. Plain SVG, no library.
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderSvg(report) {
  const rowH = 22;
  const labelW = 300;
  const plotW = 460;
  const groups = Object.keys(report.results).map((size) => ({
    size,
    rows: Object.entries(report.results[size]).filter(([, r]) => !r.error),
  }));
  const maxMs = Math.max(1, ...groups.flatMap((g) => g.rows.map(([, r]) => r.p90_ms)));
  const scale = plotW / maxMs;
  const out = [];
  let y = 40;
  for (const g of groups) {
    out.push(`<text x="10" y="${y}" font-weight="bold">MobileNet V2 ${esc(g.size)} (${(report.models[g.size].macs / 1e6).toFixed(0)} M MACs), median ms (whisker: p90)</text>`);
    y += 10;
    for (const [, r] of g.rows) {
      const w = Math.max(1, r.median_ms * scale);
      const color = r.wasinfer ? '#2b6cb0' : '#9aa5b1';
      out.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(r.label)}</text>`);
      out.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color}"/>`);
      const px = labelW + r.p90_ms * scale;
      out.push(`<line x1="${labelW + w}" y1="${y + rowH / 2}" x2="${px.toFixed(1)}" y2="${y + rowH / 2}" stroke="#333"/>`);
      out.push(`<line x1="${px.toFixed(1)}" y1="${y + 6}" x2="${px.toFixed(1)}" y2="${y + rowH - 6}" stroke="#333"/>`);
      out.push(`<text x="${(px + 6).toFixed(1)}" y="${y + 15}">${r.median_ms.toFixed(1)} ms</text>`);
      if (Number.isFinite(r.cpu_ms)) { // CPU time per inference: what other load does not inflate
        const cx = labelW + r.cpu_ms * scale;
        const cy = y + rowH / 2;
        out.push(`<path d="M${cx.toFixed(1)} ${cy - 5} l5 5 l-5 5 l-5 -5 z" fill="#f6ad55" stroke="#333" stroke-width="0.6"/>`);
      }
      y += rowH;
    }
    y += 24;
  }
  const height = y;
  const width = labelW + plotW + 90;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Inference latency, batch 1, 224×224, lower is better (${esc(report.started.slice(0, 10))})</text>`,
    `<rect x="${width - 250}" y="8" width="12" height="12" fill="#2b6cb0"/><text x="${width - 234}" y="18">wasinfer</text>`,
    `<rect x="${width - 170}" y="8" width="12" height="12" fill="#9aa5b1"/><text x="${width - 154}" y="18">peers</text>`,
    `<path d="M${width - 104} 8 l5 5 l-5 5 l-5 -5 z" fill="#f6ad55" stroke="#333" stroke-width="0.6"/><text x="${width - 94}" y="18">CPU time</text>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
