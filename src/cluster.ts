import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";

/**
 * Runs the service in `workers` processes sharing one port (node:cluster).
 * One process's JavaScript runs on one core, and the cost of a call is almost
 * all SDK work on the main thread (constructing and driving a ParaServer), so
 * on a host with more cores, more processes serve more calls. Each worker is
 * a complete, independent service (own SDK worker thread, own pool, own
 * health); nothing is shared between them but the listening socket. In
 * Kubernetes prefer one process per pod and more pods.
 *
 * The primary forwards SIGTERM/SIGINT to every worker, waits for their
 * graceful drains, and replaces a worker that dies unexpectedly.
 */
export async function runPrimary(workers: number, env: NodeJS.ProcessEnv, logger: Logger, onStopped: () => Promise<void>): Promise<void> {
  let stopping = false;
  const fork = (): Worker => cluster.fork({ ...env, SIGNER_CLUSTER_WORKER: "1" });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, "worker died; starting another");
    fork();
  });
  for (let i = 0; i < workers; i++) fork();
  logger.info({ workers }, "started worker processes");

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means "now".
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, "stopping workers");
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
    await Promise.all(
      running.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once("exit", () => resolve());
            worker.process.kill(signal);
          }),
      ),
    );
    await onStopped();
    process.exit(0);
  };
  process.on("SIGTERM", (signal) => void stop(signal));
  process.on("SIGINT", (signal) => void stop(signal));
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}
