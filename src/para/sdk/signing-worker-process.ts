import type { Worker } from "node:worker_threads";
import type { ParaEnvironment } from "../../config/config.js";
import { sdkEnvironment } from "./sdk-environment.js";
import { initSdkWorker, resetSdkWorker } from "./sdk-internals.js";

/**
 * The SDK's one process-wide signing worker (docs/para-sdk.md §2.3, §12), which the SDK neither exports nor ever
 * stops: warmed before serving, so a burst of first calls does not spawn one worker each (§14.2), and terminated on
 * shutdown, so the process can exit (§14.3).
 */

/**
 * Makes sure the SDK's signing worker exists and has answered INIT, and
 * returns it. Call it alone (not concurrently): the SDK does not memoise the
 * bundle download, so concurrent first jobs each spawn a worker.
 */
export async function warmSigningWorker(environment: ParaEnvironment, apiKey: string): Promise<Worker> {
  // A bare INIT job, not a ParaServer: constructing one would send its own
  // INIT concurrently and race this download into a second worker.
  const workId = `warmup-${process.pid}-${Date.now()}`;
  let worker: Worker | undefined;
  await new Promise<void>((resolve, reject) => {
    initSdkWorker(sdkEnvironment(environment), apiKey, workId, resolve, reject).then((w) => {
      worker = w;
    }, reject);
  });
  if (!worker) throw new Error("signing worker did not start");
  return worker;
}

/** Terminates the SDK's signing worker so the process can exit. */
export function resetSigningWorker(): void {
  resetSdkWorker();
}
