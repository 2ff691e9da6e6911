import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

const KIND_COLOR: Record<number, string> = {
  [SpanKind.SERVER]: "#3b6fd8",
  [SpanKind.INTERNAL]: "#7a8699",
  [SpanKind.CLIENT]: "#2e9e6a",
};
const ERROR_COLOR = "#d64545";

const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The attributes shown beside a bar: shape only (endpoint, outcome, status, wallet type, length), as exported. */
function note(span: ReadableSpan): string {
  const a = span.attributes;
  const parts: string[] = [];
  for (const key of ["rpc.grpc.status_code", "para.endpoint", "para.outcome", "http.response.status_code", "para.wallet_type", "para.message.length"]) {
    if (a[key] !== undefined) parts.push(`${key}=${String(a[key])}`);
  }
  return parts.join("  ");
}

/** The span tree under `root` in start order, depth first, with each span's depth. */
export function waterfall(spans: ReadableSpan[], root: ReadableSpan): Array<{ span: ReadableSpan; depth: number }> {
  const out: Array<{ span: ReadableSpan; depth: number }> = [];
  const walk = (span: ReadableSpan, depth: number) => {
    out.push({ span, depth });
    const children = spans.filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId).sort((x, y) => ms(x.startTime) - ms(y.startTime));
    for (const child of children) walk(child, depth + 1);
  };
  walk(root, 0);
  return out;
}

/** An SVG waterfall of one trace: a row per span, bars on the root's time axis, coloured by span kind. */
export function renderTraceSvg(spans: ReadableSpan[], root: ReadableSpan, title: string): string {
  const rows = waterfall(spans, root);
  const t0 = ms(root.startTime);
  const total = Math.max(...rows.map((r) => ms(r.span.endTime) - t0), 0.001);
  const labelW = 370;
  const barW = 560;
  const noteW = 620;
  const rowH = 22;
  const top = 58;
  const width = labelW + barW + noteW;
  const height = top + rows.length * rowH + 40;
  const x = (t: number) => labelW + ((t - t0) / total) * barW;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="10" y="38" fill="#555">${rows.length} spans, ${total.toFixed(1)} ms. Blue: SERVER, grey: INTERNAL, green: CLIENT (one per Para round trip), red: error status.</text>`,
  ];
  for (let tick = 0; tick <= 4; tick++) {
    const tx = labelW + (tick / 4) * barW;
    out.push(`<line x1="${tx}" y1="${top - 8}" x2="${tx}" y2="${top + rows.length * rowH}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${tx}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#777">${((tick / 4) * total).toFixed(1)} ms</text>`);
  }
  rows.forEach(({ span, depth }, i) => {
    const y = top + i * rowH;
    const start = x(ms(span.startTime));
    const w = Math.max(x(ms(span.endTime)) - start, 1.5);
    const color = span.status.code === SpanStatusCode.ERROR ? ERROR_COLOR : (KIND_COLOR[span.kind] ?? "#999");
    const dur = ms(span.endTime) - ms(span.startTime);
    out.push(`<text x="${10 + depth * 14}" y="${y + 15}">${esc(span.name)}</text>`);
    out.push(
      `<rect x="${start.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" rx="2" fill="${color}"><title>${esc(`${span.name}: ${dur.toFixed(2)} ms`)}</title></rect>`,
    );
    out.push(`<text x="${labelW + barW + 10}" y="${y + 15}" fill="#444">${dur.toFixed(1)} ms  ${esc(note(span))}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
