/**
 * Re-renders the Markdown report and the SVG chart from a run's JSON, so a
 * change to report.ts or svg.ts does not need a new multi-minute run.
 *
 *   npx tsx bench/render.ts [bench/results/latest.json]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { renderReport } from "./report.js";
import type { BenchRun } from "./results.js";
import { renderChart } from "./svg.js";

const path = process.argv[2] ?? "bench/results/latest.json";
const parsed = JSON.parse(readFileSync(path, "utf8"), (_key, value: unknown) => (value === null ? Number.NaN : value)) as BenchRun & { startedAt: string };
const run: BenchRun = { ...parsed, startedAt: new Date(parsed.startedAt) };
const base = path.replace(/\.json$/, "");
writeFileSync(`${base}.md`, renderReport(run));
writeFileSync(`${base}.svg`, renderChart(run));
process.stdout.write(`rendered ${base}.md and ${base}.svg\n`);
