import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Reads a file's text, or undefined when it cannot be read (no cgroup, other OS). */
export type ReadText = (path: string) => string | undefined;

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

/** Where the container's CPU quota lives: cgroup v2 first, then v1. */
export const CGROUP_V2_CPU_MAX = "/sys/fs/cgroup/cpu.max";
export const CGROUP_V1_QUOTA = "/sys/fs/cgroup/cpu/cpu.cfs_quota_us";
export const CGROUP_V1_PERIOD = "/sys/fs/cgroup/cpu/cpu.cfs_period_us";

/**
 * The CPUs this process may use, as the container's quota says (a fraction is possible, e.g. 1.5), else undefined
 * (no quota set: "max" in v2, -1 in v1, or no cgroup file at all). The host's core count is not the answer in a
 * container: Kubernetes' CPU limit is a CFS quota, and threads past it only queue.
 */
export function cgroupCpuQuota(read: ReadText = readText): number | undefined {
  const v2 = read(CGROUP_V2_CPU_MAX)?.trim();
  if (v2) {
    const [quota, period] = v2.split(/\s+/);
    return ratio(quota, period);
  }
  return ratio(read(CGROUP_V1_QUOTA)?.trim(), read(CGROUP_V1_PERIOD)?.trim());
}

function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  if (!quota || !period || quota === "max") return undefined;
  const q = Number(quota);
  const p = Number(period);
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return undefined;
  return q / p;
}

/**
 * More SDK threads than this `auto` never starts: each holds its own V8 heap, SDK module graph, instance pool and
 * signing worker (about 170–200 MiB), and past about four the main thread becomes the limit anyway
 * (bench/results/projection.md). An explicit setting may go higher.
 */
export const MAX_AUTO_SDK_THREADS = 4;

/**
 * SDK threads for `setting` (SIGNER_SDK_THREADS): a number is taken as it is (0: the SDK runs on the main thread);
 * "auto" gives one SDK thread per whole CPU, capped at MAX_AUTO_SDK_THREADS. The main thread (gRPC, authorisation,
 * admission, telemetry) needs about a fifth of a core per SDK thread's worth of calls, so it shares rather than
 * reserves one: measured on 2 CPUs (bench/results/threads.md), two SDK threads served CheckSession 1.2–1.3× faster
 * than one, and signing no slower. Below 2 CPUs (quota 1.5, say) a thread would only share the main thread's CPU and
 * add message passing and a second heap, so auto is 0 there. `cpus` is the container's quota, else
 * `os.availableParallelism()` (which follows the process's CPU affinity, e.g. taskset).
 */
export function sdkThreadCount(setting: number | "auto", read: ReadText = readText, parallelism: () => number = availableParallelism): number {
  if (setting !== "auto") return setting;
  const cpus = Math.min(cgroupCpuQuota(read) ?? Number.POSITIVE_INFINITY, parallelism());
  if (cpus < 2) return 0;
  return Math.min(Math.floor(cpus), MAX_AUTO_SDK_THREADS);
}
