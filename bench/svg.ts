/**
 * A hand-drawn SVG chart (no chart library): for CheckSession at the highest
 * latency of the run, throughput and p50 latency per system, grouped by
 * concurrency, with the value printed on each bar (medians over the rounds).
 */
import { RunView, type Cell } from "./aggregate.js";
import type { BenchRun } from "./results.js";

const COLORS = ["#2b6cb0", "#63b3ed", "#dd6b20", "#38a169", "#805ad5", "#718096"];
const W = 460;
const H = 300;
const M = { top: 40, right: 12, bottom: 48, left: 56 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * mag >= v) return step * mag;
  return 10 * mag;
}

function panel(x0: number, title: string, groups: number[], series: { label: string; values: (number | undefined)[] }[], digits: number): string {
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.map((v) => (v !== undefined && Number.isFinite(v) ? v : 0)))));
  const gw = iw / Math.max(1, groups.length);
  const bw = (gw * 0.8) / Math.max(1, series.length);
  const parts: string[] = [
    `<g transform="translate(${x0},0)">`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    const y = M.top + ih - (ih * t) / 4;
    parts.push(`<line x1="${M.left}" x2="${M.left + iw}" y1="${y}" y2="${y}" stroke="#e2e8f0"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y + 4}" text-anchor="end" font-size="10">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`);
  }
  groups.forEach((g, gi) => {
    const gx = M.left + gi * gw + gw * 0.1;
    series.forEach((s, si) => {
      const v = s.values[gi];
      if (v === undefined || !Number.isFinite(v)) return;
      const h = (ih * v) / max;
      const x = gx + si * bw;
      const y = M.top + ih - h;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(s.label)}: ${v.toFixed(digits)}</title></rect>`,
      );
      parts.push(`<text x="${(x + bw / 2 - 1).toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle" font-size="8">${v.toFixed(digits)}</text>`);
    });
    parts.push(`<text x="${(M.left + gi * gw + gw / 2).toFixed(1)}" y="${M.top + ih + 16}" text-anchor="middle" font-size="11">c=${g}</text>`);
  });
  parts.push(`<line x1="${M.left}" x2="${M.left + iw}" y1="${M.top + ih}" y2="${M.top + ih}" stroke="#4a5568"/>`, "</g>");
  return parts.join("\n");
}

export function renderChart(run: BenchRun): string {
  const latency = Math.max(...run.config.latenciesMs);
  const groups = run.config.concurrencies;
  const view = new RunView(run);
  const find = (system: string, c: number): Cell | undefined => view.cell(system, { latencyMs: latency, rpc: "CheckSession", concurrency: c });
  const series = (pick: (s: Cell) => number) =>
    run.systems.map((sys) => ({
      label: sys.label,
      values: groups.map((c) => {
        const r = find(sys.id, c);
        return r ? pick(r) : undefined;
      }),
    }));
  const legend = run.systems
    .map(
      (s, i) =>
        `<rect x="${M.left + i * 190}" y="${H + 4}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/><text x="${M.left + i * 190 + 16}" y="${H + 14}" font-size="12">${esc(s.label)}</text>`,
    )
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 44}" viewBox="0 0 ${2 * W} ${H + 44}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${panel(
  0,
  `CheckSession throughput (req/s), +${latency} ms Para latency`,
  groups,
  series((s) => s.throughput),
  0,
)}
${panel(
  W,
  `CheckSession p50 latency (ms), +${latency} ms Para latency`,
  groups,
  series((s) => s.p50),
  1,
)}
${legend}
<text x="${M.left}" y="${H + 36}" font-size="10" fill="#4a5568">${esc(`${run.startedAt.toISOString()} · Node ${run.node} · ${run.cores} cores · closed loop, ${run.config.connections} HTTP/2 connections, median of ${run.config.rounds ?? 1} round(s)`)}</text>
</svg>
`;
}
