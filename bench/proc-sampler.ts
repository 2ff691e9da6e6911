/**
 * Per-process resource readings from /proc (Linux): CPU time of all threads
 * (main, libuv pool, the SDK's worker threads), current and peak RSS, thread
 * and file-descriptor counts. Reading /proc from outside costs the measured
 * process nothing, and covers every thread, unlike process.cpuUsage() in-band.
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: /proc reports CPU time in clock ticks, 100 per second on Linux. */
const TICKS_PER_SECOND = 100;

export interface ProcReading {
  /** user + system CPU seconds so far. */
  cpuSeconds: number;
  rssMiB: number;
  /** VmHWM: the peak RSS since the process started. */
  peakRssMiB: number;
  threads: number;
  fds: number;
}

export function readProc(pid: number): ProcReading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start at state (field 3); utime and stime are 14, 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? Number.NaN);
    let fds = Number.NaN;
    try {
      fds = readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // not ours to read: leave NaN
    }
    return { cpuSeconds, rssMiB: kib("VmRSS") / 1024, peakRssMiB: kib("VmHWM") / 1024, threads: kib("Threads"), fds };
  } catch {
    return undefined; // the process is gone
  }
}

/** The process and all its descendants (e.g. cluster workers), summed: CPU, RSS, threads and fds add up. */
export function readProcTree(pid: number): ProcReading | undefined {
  const root = readProc(pid);
  if (!root) return undefined;
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const descendants: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) if (ppid === parent) descendants.push(child), walk(child);
  };
  walk(pid);
  return descendants.map(readProc).reduce<ProcReading>(
    (sum, r) =>
      r
        ? {
            cpuSeconds: sum.cpuSeconds + r.cpuSeconds,
            rssMiB: sum.rssMiB + r.rssMiB,
            peakRssMiB: sum.peakRssMiB + r.peakRssMiB,
            threads: sum.threads + r.threads,
            fds: sum.fds + r.fds,
          }
        : sum,
    root,
  );
}

export interface WindowStats {
  /** Average CPU over the window, in % of one core (200% = both cores of a 2-core machine). */
  cpuPercent: number;
  /** Highest RSS sampled in the window. */
  peakRssMiB: number;
  maxThreads: number;
  lastRssMiB: number;
}

/**
 * Samples one process (with its child processes, if any) over a window (a measured step): CPU from the
 * difference of two readings, RSS and threads as the maximum of periodic samples.
 */
export class ProcWindow {
  private readonly cpu: CpuSecondsWindow;
  private peakRss = 0;
  private maxThreads = 0;
  private lastRss = Number.NaN;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {
    this.cpu = new CpuSecondsWindow([pid]);
  }

  start(): void {
    this.cpu.start();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): WindowStats {
    clearInterval(this.timer);
    this.sample();
    return { cpuPercent: this.cpu.percent(), peakRssMiB: this.peakRss, maxThreads: this.maxThreads, lastRssMiB: this.lastRss };
  }

  private sample(): void {
    const r = readProcTree(this.pid);
    if (!r) return;
    this.peakRss = Math.max(this.peakRss, r.rssMiB);
    this.maxThreads = Math.max(this.maxThreads, r.threads);
    this.lastRss = r.rssMiB;
  }
}

/** The bench process's own CPU over a window (backend + load generator), in % of one core. */
export class SelfCpuWindow {
  private start = process.cpuUsage();
  private t0 = performance.now();

  reset(): void {
    this.start = process.cpuUsage();
    this.t0 = performance.now();
  }

  percent(): number {
    const d = process.cpuUsage(this.start);
    const ms = performance.now() - this.t0;
    return ms > 0 ? ((d.user + d.system) / 1000 / ms) * 100 : Number.NaN;
  }
}

/** Several processes' CPU (with their children) over a window, summed, in % of one core. */
export class CpuSecondsWindow {
  private first = 0;
  private t0 = 0;

  constructor(private readonly pids: readonly number[]) {}

  start(): void {
    this.first = this.total();
    this.t0 = performance.now();
  }

  percent(): number {
    const seconds = (performance.now() - this.t0) / 1000;
    return seconds > 0 ? ((this.total() - this.first) / seconds) * 100 : Number.NaN;
  }

  /** NaN when a process is gone: its CPU can no longer be told. */
  private total(): number {
    return this.pids.reduce((sum, pid) => sum + (readProcTree(pid)?.cpuSeconds ?? Number.NaN), 0);
  }
}
