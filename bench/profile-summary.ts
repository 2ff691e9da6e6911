/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by
 * function and by package (node_modules/<pkg>, node: internals, the app's
 * own src/ or bench/), so a run can say where a system's CPU goes.
 *
 *   npx tsx bench/profile-summary.ts bench/results/prof/<file>.cpuprofile [top=25]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The package a script URL belongs to: node_modules/@scope/name, node:internal, or the repo directory. */
export function packageOf(url: string): string {
  if (url === "") return "(native/V8)";
  if (url.startsWith("node:")) return "node: (core)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1] ?? ""}` : (rest[0] ?? url);
  }
  const m = /\/(src|bench|gen|test)\//.exec(url);
  return m ? `${m[1]}/` : url;
}

export function summarizeProfile(path: string, top = 25): string {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === "(idle)").reduce((a, [, us]) => a + us, 0);
  const busy = total - idle;
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === "(idle)") continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url.split("/").slice(-2).join("/");
    const key = `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = packageOf(url);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1)}%`;
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `| ${pct(us)} | ${(us / 1000).toFixed(0)} | \`${k.replace(/\|/g, "\\|")}\` |`);
  return [
    `Profile ${path}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (main thread); shares are of busy time.`,
    "",
    "| self | ms | package |",
    "|---|---|---|",
    ...rows(pkg),
    "",
    "| self | ms | function |",
    "|---|---|---|",
    ...rows(fn),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2];
  if (!path) throw new Error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]");
  process.stdout.write(`${summarizeProfile(path, Number(process.argv[3] ?? 25))}\n`);
}
