import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, test } from "vitest";
import { CpuSecondsWindow, processTree, readProc, readProcs } from "../../bench/proc-sampler.js";

/**
 * /proc counts CPU in 10 ms ticks, and the kernel scales a thread's and its process's totals separately, so the
 * main thread's total may run up to a tick or two ahead of the whole process's.
 */
const TICKS = 0.02;

/** Keeps the main thread on the CPU for a while (work, not a sleep). */
function spin(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

describe.runIf(process.platform === "linux")("bench /proc sampler", () => {
  test("reads the main thread's CPU beside the whole process's", () => {
    spin(300);
    const r = readProc(process.pid);
    expect(r).toBeDefined();
    expect(r!.mainCpuSeconds).toBeGreaterThan(0);
    // The main thread is one of the process's threads: not more than all of them.
    expect(r!.mainCpuSeconds).toBeLessThanOrEqual(r!.cpuSeconds + TICKS);
    expect(r!.threads).toBeGreaterThanOrEqual(1);
  });

  test("a tree holds the child processes, and sums their main threads and threads", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const tree = processTree(process.pid);
      expect(tree[0]).toBe(process.pid);
      expect(tree).toContain(child.pid);
      const self = readProc(process.pid)!;
      const kid = readProc(child.pid!)!;
      const both = readProcs([process.pid, child.pid!])!;
      expect(both.threads).toBe(self.threads + kid.threads);
      expect(both.mainCpuSeconds).toBeGreaterThanOrEqual(self.mainCpuSeconds);
      // A process that is gone counts as nothing; a root that is gone is no reading.
      expect(readProcs([process.pid, 2 ** 22 + 12345])?.threads).toBe(readProc(process.pid)?.threads);
      expect(readProcs([2 ** 22 + 12345])).toBeUndefined();
    } finally {
      child.kill();
      await once(child, "exit");
    }
  });

  test("a window attributes main-thread CPU to the process that spent it", () => {
    const w = new CpuSecondsWindow([process.pid]);
    w.start();
    spin(300);
    const used = w.stop();
    expect(used.mainCpuSeconds).toBeGreaterThan(0);
    expect(used.cpuSeconds).toBeGreaterThanOrEqual(used.mainCpuSeconds - TICKS);
    expect(used.mainCpuPercent).toBeGreaterThan(0);
  });
});
