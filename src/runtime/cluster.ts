import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";

/** The running primary: main.ts handles the signals and calls these. */
export interface Primary {
  /** Forwards `signal` to every worker and resolves once all have exited after their graceful drains. */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Kills every worker at once (a second signal: "now"). */
  kill(): void;
}

/**
 * Runs the service in `workers` processes sharing one port (node:cluster).
 * One process's JavaScript runs on one core, and the cost of a call is almost
 * all SDK work on the main thread (constructing and driving a ParaServer), so
 * on a host with more cores, more processes serve more calls. Each worker is
 * a complete, independent service (own SDK worker thread, own pool, own
 * health); nothing is shared between them but the listening socket. In
 * Kubernetes prefer one process per pod and more pods.
 *
 * `stop` forwards the signal main.ts received to every worker and waits for
 * their graceful drains. Meanwhile a worker that dies unexpectedly is
 * replaced, after a back-off (`restartBackoff`) so a worker that dies at
 * start-up (bad key, Para unreachable, a crash on the first call) is not
 * re-forked in a hot loop that burns CPU and floods the logs and Para.
 */
export function runPrimary(workers: number, env: NodeJS.ProcessEnv, logger: Logger): Primary {
  let stopping = false;
  // Per slot (one per worker process wanted): crashes in a row and the running worker's start time.
  const slots = Array.from({ length: workers }, () => ({ streak: 0, startedAt: 0, pending: undefined as NodeJS.Timeout | undefined }));
  const slotOf = new Map<Worker, number>();
  const fork = (slot: number): void => {
    const worker = cluster.fork({ ...env, SIGNER_CLUSTER_WORKER: "1" });
    slotOf.set(worker, slot);
    slots[slot]!.startedAt = Date.now();
    slots[slot]!.pending = undefined;
  };
  cluster.on("exit", (worker, code, signal) => {
    const slot = slotOf.get(worker);
    slotOf.delete(worker);
    if (stopping || slot === undefined) return;
    const state = slots[slot]!;
    const next = restartBackoff(state.streak, Date.now() - state.startedAt);
    state.streak = next.streak;
    logger.error({ pid: worker.process.pid, code, signal, restartInMs: next.delayMs }, "worker died; starting another");
    state.pending = setTimeout(() => fork(slot), next.delayMs);
  });
  for (let i = 0; i < workers; i++) fork(i);
  logger.info({ workers }, "started worker processes");
  const running = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));

  return {
    async stop(signal) {
      stopping = true;
      for (const slot of slots) clearTimeout(slot.pending);
      const workers = running();
      logger.info({ workers: workers.length }, "stopping workers");
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once("exit", () => resolve());
              worker.process.kill(signal);
            }),
        ),
      );
    },
    kill() {
      stopping = true;
      for (const worker of running()) worker.process.kill("SIGKILL");
    },
  };
}

export interface RestartPolicy {
  /** The wait before the first replacement. */
  initialMs: number;
  /** Doubling stops here. */
  maxMs: number;
  /** A worker that lived this long was healthy: its death starts the count afresh. */
  resetAfterMs: number;
}

export const RESTART_POLICY: RestartPolicy = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * When to replace a worker that died after `livedMs`, given `streak`, the
 * deaths in a row before it in its slot: 1 s, doubling per death in a row, up
 * to 30 s; a worker that lived 60 s resets the streak. Returns the wait and
 * the streak to keep.
 */
export function restartBackoff(streak: number, livedMs: number, policy: RestartPolicy = RESTART_POLICY): { delayMs: number; streak: number } {
  const inRow = livedMs >= policy.resetAfterMs ? 0 : streak;
  const delayMs = Math.min(policy.initialMs * 2 ** Math.min(inRow, 30), policy.maxMs);
  return { delayMs, streak: inRow + 1 };
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}
