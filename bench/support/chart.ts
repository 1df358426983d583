/**
 * An SVG of the results a person can read at a glance: one row per figure, its subject's bar against its
 * baseline's (both scaled to the larger of the two, since each row has its own unit), the values, the ratio,
 * and the row's budget verdict in colour.
 */
import type { Figure } from './figures';
import type { Verdict } from './budgets';

const ROW = 30;
const LABEL = 430;
const BAR = 360;
const RIGHT = 250;
const WIDTH = LABEL + BAR + RIGHT;

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function formatValue(unit: Figure['unit'], n: number): string {
  if (unit === 'bytes')
    return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
  if (unit === 'x') return `${n.toFixed(2)}×`;
  return `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ${unit}`;
}

export function renderChart(
  figures: readonly Figure[],
  verdicts: ReadonlyMap<string, Verdict>,
  meta: { readonly generatedAt: string; readonly machine: string },
): string {
  const groups = [...new Set(figures.map((f) => f.group))];
  const lines: string[] = [];
  let y = 56;
  for (const group of groups) {
    lines.push(`<text x="12" y="${y + 18}" class="group">${escape(group)}</text>`);
    y += ROW;
    for (const f of figures.filter((g) => g.group === group)) {
      const scale = Math.max(f.subject.median, f.baseline?.stats.median ?? 0) || 1;
      const w = (n: number) => Math.max(1, (n / scale) * BAR);
      const verdict = verdicts.get(f.id);
      const fill = verdict === undefined ? '#4a6fa5' : verdict.ok ? '#2e8540' : '#c0392b';
      lines.push(
        `<text x="12" y="${y + 13}" class="label">${escape(f.id.replace(/^[^.]+\./, ''))}</text>`,
        `<rect x="${LABEL}" y="${y + 2}" width="${w(f.subject.median).toFixed(1)}" height="11" fill="${fill}"><title>${escape(f.title)}</title></rect>`,
      );
      if (f.subject.runs > 1) {
        const x0 = LABEL + w(f.subject.min);
        const x1 = LABEL + Math.min(BAR, w(f.subject.max));
        lines.push(
          `<line x1="${x0.toFixed(1)}" x2="${x1.toFixed(1)}" y1="${y + 7.5}" y2="${y + 7.5}" class="spread"/>`,
        );
      }
      if (f.baseline)
        lines.push(
          `<rect x="${LABEL}" y="${y + 15}" width="${w(f.baseline.stats.median).toFixed(1)}" height="8" fill="#b8c4d6"><title>${escape(f.baseline.label)}</title></rect>`,
        );
      const base = f.baseline ? ` vs ${formatValue(f.unit, f.baseline.stats.median)}` : '';
      const ratio = f.ratio === undefined ? '' : ` (${f.ratio.toFixed(2)}×)`;
      const budget = verdict ? ` ${verdict.ok ? '✓' : '✗'} ${verdict.limit}` : '';
      lines.push(
        `<text x="${LABEL + BAR + 8}" y="${y + 13}" class="value">${escape(formatValue(f.unit, f.subject.median) + base + ratio)}</text>`,
        `<text x="${LABEL + BAR + 8}" y="${y + 25}" class="budget">${escape(budget)}</text>`,
      );
      y += ROW;
    }
  }
  const height = y + 16;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">
<style>
  .title { font-size: 16px; font-weight: bold; fill: #1b1b1b; }
  .sub { font-size: 11px; fill: #555; }
  .group { font-size: 14px; font-weight: bold; fill: #1b1b1b; }
  .label { font-size: 11px; fill: #333; }
  .value { font-size: 11px; fill: #1b1b1b; }
  .budget { font-size: 10px; fill: #555; }
  .spread { stroke: #1b1b1b; stroke-width: 1; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="12" y="22" class="title">Conflux benchmarks</text>
<text x="12" y="40" class="sub">${escape(`${meta.generatedAt} · ${meta.machine} · dark bar: subject (median, line: min…max), light bar: baseline in the same run; green: within budget, red: over`)}</text>
${lines.join('\n')}
</svg>
`;
}
