import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { getHeapStatistics } from "node:v8";
import { Worker } from "node:worker_threads";
import type { ThreadHandle } from "./sdk-thread-pool.js";
import type { SdkThreadOptions } from "./sdk-thread-protocol.js";

/**
 * Starts one SDK thread (sdk-thread-entry). Built, it is the compiled `.js` next to this file. From source (tests,
 * tsx), Node cannot load TypeScript in a worker and ignores `--import` in a worker's execArgv (Node 20), so a
 * two-line bootstrap registers tsx in the thread first. The main process's flags are not passed on: `--import
 * otel.js` would start a second OpenTelemetry SDK in every thread (the threads report round trips to the main
 * thread's instead). V8 flags (the image's `--no-memory-reducer`) are per process: every thread has them already, and
 * a Worker refuses them in its execArgv (ERR_WORKER_INVALID_EXEC_ARGV).
 */
export function spawnSdkThread(options: SdkThreadOptions, index: number): ThreadHandle {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = new URL(fromSource ? "./sdk-thread-entry.ts" : "./sdk-thread-entry.js", import.meta.url);
  // Source maps, and the CPU profiler when the process runs under it (each thread writes its own profile).
  const execArgv = process.execArgv.filter((flag) => flag === "--enable-source-maps" || flag.startsWith("--cpu-prof"));
  // A thread that outgrows its cap ends like a crashed one (its calls fail, it is replaced): docs/para-sdk.md §2.5.
  const resourceLimits = {
    ...(options.heapLimitMb > 0 ? { maxOldGenerationSizeMb: options.heapLimitMb } : {}),
    ...(options.youngGenerationMb > 0 ? { maxYoungGenerationSizeMb: options.youngGenerationMb } : {}),
  };
  const common = { workerData: options, execArgv, name: `para-sdk-${index}`, stdout: false, stderr: false, resourceLimits };
  if (!fromSource) return new Worker(entry, common) as unknown as ThreadHandle;
  // tsx's ESM API (the CommonJS one resolved here sits next to it; its own import of it is broken in a worker).
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...common, eval: true }) as unknown as ThreadHandle;
}

/**
 * The old-generation cap an SDK thread gets (MiB): the configured one, unless V8's own limit for this process is
 * lower. V8 sizes its own from the container's memory limit when there is one; raising it there would let a thread
 * grow past what the container allows, and a limit below 2 GiB already keeps V8's heap growth moderate
 * (docs/para-sdk.md §2.5). 0: no cap of ours.
 */
export function threadHeapLimitMb(configuredMb: number, ownMb = Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20)): number {
  return configuredMb > 0 ? Math.min(configuredMb, ownMb) : 0;
}
