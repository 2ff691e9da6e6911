/**
 * Per-process resource readings from /proc (Linux): CPU time of all threads
 * (main, libuv pool, the SDK's worker threads) and of the main thread alone,
 * current and peak RSS, thread and file-descriptor counts. Reading /proc from
 * outside costs the measured process nothing, and covers every thread, unlike
 * process.cpuUsage() in-band.
 *
 * Main-thread CPU is what limits a Node server (JavaScript, the HTTP/2 and
 * protobuf work all run there); whole-process CPU adds GC helper threads,
 * libuv's pool and the SDK's signing worker. The main thread's tid equals the
 * pid, so its own counters are /proc/<pid>/task/<pid>/stat.
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: /proc reports CPU time in clock ticks, 100 per second on Linux. */
const TICKS_PER_SECOND = 100;

export interface ProcReading {
  /** user + system CPU seconds so far, all threads. */
  cpuSeconds: number;
  /** user + system CPU seconds so far of the main thread only (summed over processes in a tree). */
  mainCpuSeconds: number;
  rssMiB: number;
  /** VmHWM: the peak RSS since the process started. */
  peakRssMiB: number;
  threads: number;
  fds: number;
}

/** utime + stime of a /proc stat line, in seconds. */
function statCpuSeconds(path: string): number {
  const stat = readFileSync(path, "utf8");
  // Fields after the command name (which may contain spaces) start at state (field 3); utime and stime are 14, 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function readProc(pid: number): ProcReading | undefined {
  try {
    const cpuSeconds = statCpuSeconds(`/proc/${pid}/stat`);
    let mainCpuSeconds = Number.NaN;
    try {
      mainCpuSeconds = statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
    } catch {
      // the main thread has exited while others run on (a zombie leader): leave NaN
    }
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? Number.NaN);
    let fds = Number.NaN;
    try {
      fds = readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // not ours to read: leave NaN
    }
    return { cpuSeconds, mainCpuSeconds, rssMiB: kib("VmRSS") / 1024, peakRssMiB: kib("VmHWM") / 1024, threads: kib("Threads"), fds };
  } catch {
    return undefined; // the process is gone
  }
}

/** The process and all its descendants (e.g. a node:cluster primary and its workers), root first. One scan of /proc. */
export function processTree(pid: number): number[] {
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
  const tree = [pid];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) if (ppid === parent) tree.push(child), walk(child);
  };
  walk(pid);
  return tree;
}

/**
 * The given processes (a tree from `processTree`), summed: CPU, RSS, threads and fds add up, and so do the main
 * threads (each process's own: for node:cluster, the primary's, which only hands out connections, plus every
 * worker's). Undefined when the root is gone.
 */
export function readProcs(pids: readonly number[]): ProcReading | undefined {
  const [root, ...rest] = pids.map(readProc);
  if (!root) return undefined;
  return rest.reduce<ProcReading>(
    (sum, r) =>
      r
        ? {
            cpuSeconds: sum.cpuSeconds + r.cpuSeconds,
            mainCpuSeconds: sum.mainCpuSeconds + r.mainCpuSeconds,
            rssMiB: sum.rssMiB + r.rssMiB,
            peakRssMiB: sum.peakRssMiB + r.peakRssMiB,
            threads: sum.threads + r.threads,
            fds: sum.fds + r.fds,
          }
        : sum,
    root,
  );
}

/** The process and all its descendants (e.g. cluster workers), summed. */
export function readProcTree(pid: number): ProcReading | undefined {
  return readProcs(processTree(pid));
}

export interface WindowStats {
  /** Average CPU over the window, in % of one core (200% = both cores of a 2-core machine). */
  cpuPercent: number;
  /** The main thread's (summed over the processes of a tree), in % of one core: 100% is a saturated event loop. */
  mainCpuPercent: number;
  /** Highest RSS sampled in the window. */
  peakRssMiB: number;
  maxThreads: number;
  lastRssMiB: number;
}

/** How often a sampling window looks for new processes in the tree (a cluster worker restarted). */
const TREE_REFRESH_MS = 1_000;

/**
 * Samples one process (with its child processes, if any) over a window (a measured step): CPU from the
 * difference of two readings, RSS and threads as the maximum of periodic samples. The process tree is found
 * once a second, not at every sample: scanning all of /proc every 100 ms would be CPU the bench process spends
 * beside its load generator.
 */
export class ProcWindow {
  private readonly cpu: CpuSecondsWindow;
  private peakRss = 0;
  private maxThreads = 0;
  private lastRss = Number.NaN;
  private timer: NodeJS.Timeout | undefined;
  private tree: number[] = [];
  private treeAt = Number.NEGATIVE_INFINITY;

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
    const cpu = this.cpu.stop();
    return { ...cpu, peakRssMiB: this.peakRss, maxThreads: this.maxThreads, lastRssMiB: this.lastRss };
  }

  private sample(): void {
    const now = performance.now();
    if (now - this.treeAt >= TREE_REFRESH_MS) (this.tree = processTree(this.pid)), (this.treeAt = now);
    const r = readProcs(this.tree);
    if (!r) return;
    this.peakRss = Math.max(this.peakRss, r.rssMiB);
    this.maxThreads = Math.max(this.maxThreads, r.threads);
    this.lastRss = r.rssMiB;
  }
}

/**
 * The bench process's own CPU over a window (backend + load generator), in % of one core and in seconds; and its
 * main thread's, where the generator and the backend run: near 100% means the bench, not the system, set the pace.
 */
export class SelfCpuWindow {
  private start = process.cpuUsage();
  private main0 = mainThreadSeconds();
  private t0 = performance.now();

  reset(): void {
    this.start = process.cpuUsage();
    this.main0 = mainThreadSeconds();
    this.t0 = performance.now();
  }

  mainPercent(): number {
    const ms = performance.now() - this.t0;
    return ms > 0 ? (((mainThreadSeconds() - this.main0) * 1000) / ms) * 100 : Number.NaN;
  }

  seconds(): number {
    const d = process.cpuUsage(this.start);
    return (d.user + d.system) / 1e6;
  }

  percent(): number {
    const ms = performance.now() - this.t0;
    return ms > 0 ? ((this.seconds() * 1000) / ms) * 100 : Number.NaN;
  }
}

function mainThreadSeconds(): number {
  try {
    return statCpuSeconds(`/proc/${process.pid}/task/${process.pid}/stat`);
  } catch {
    return Number.NaN; // not Linux
  }
}

export interface CpuSeconds {
  /** Whole-process CPU over the window (all threads, all processes), % of one core. */
  cpuPercent: number;
  mainCpuPercent: number;
  cpuSeconds: number;
  mainCpuSeconds: number;
  elapsedMs: number;
}

/**
 * Several processes' CPU (with their children) over a window, summed: whole-process and main-thread.
 * NaN when a process is gone: its CPU can no longer be told.
 */
export class CpuSecondsWindow {
  private first: { cpu: number; main: number } = { cpu: 0, main: 0 };
  private trees: number[][] = [];
  private t0 = 0;

  constructor(private readonly pids: readonly number[]) {}

  start(): void {
    this.trees = this.pids.map(processTree);
    this.first = this.total();
    this.t0 = performance.now();
  }

  stop(): CpuSeconds {
    const elapsedMs = performance.now() - this.t0;
    const last = this.total();
    const cpuSeconds = last.cpu - this.first.cpu;
    const mainCpuSeconds = last.main - this.first.main;
    const pct = (s: number) => (elapsedMs > 0 ? ((s * 1000) / elapsedMs) * 100 : Number.NaN);
    return { cpuPercent: pct(cpuSeconds), mainCpuPercent: pct(mainCpuSeconds), cpuSeconds, mainCpuSeconds, elapsedMs };
  }

  percent(): number {
    return this.stop().cpuPercent;
  }

  /** Processes of a tree that appear during the window are not counted (their CPU at start is unknown). */
  private total(): { cpu: number; main: number } {
    return this.trees.reduce(
      (sum, tree) => {
        const r = readProcs(tree);
        return { cpu: sum.cpu + (r?.cpuSeconds ?? Number.NaN), main: sum.main + (r?.mainCpuSeconds ?? Number.NaN) };
      },
      { cpu: 0, main: 0 },
    );
  }
}

/** CPU seconds so far of each thread of one process, by thread id. */
function threadCpuSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        out.set(Number(tid), statCpuSeconds(`/proc/${pid}/task/${tid}/stat`));
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    // the process is gone
  }
  return out;
}

/**
 * The busiest thread other than the main one over a window, in % of one core: with the SDK in threads, the SDK
 * thread (or, when signing dominates, a signing worker). It is the serial limit the core projection needs
 * (bench/projection.ts): no thread can pass 100%. One process only (a cluster's processes are not summed here).
 */
export class BusiestThreadWindow {
  private start0 = new Map<number, number>();
  private startedAt = 0;

  constructor(private readonly pid: number) {}

  start(): void {
    this.start0 = threadCpuSeconds(this.pid);
    this.startedAt = performance.now();
  }

  stop(): number {
    const ms = performance.now() - this.startedAt;
    let busiest = 0;
    for (const [tid, seconds] of threadCpuSeconds(this.pid)) {
      if (tid === this.pid) continue;
      busiest = Math.max(busiest, seconds - (this.start0.get(tid) ?? 0));
    }
    return ms > 0 ? ((busiest * 1000) / ms) * 100 : Number.NaN;
  }
}
