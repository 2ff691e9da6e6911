import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ThreadHandle } from "./sdk-thread-pool.js";
import type { SdkThreadOptions } from "./sdk-thread-protocol.js";

/**
 * Starts one SDK thread (sdk-thread-entry). Built, it is the compiled `.js` next to this file. From source (tests,
 * tsx), Node cannot load TypeScript in a worker and ignores `--import` in a worker's execArgv (Node 20), so a
 * two-line bootstrap registers tsx in the thread first. The main process's flags are not passed on: `--import
 * otel.js` would start a second OpenTelemetry SDK in every thread (the threads report round trips to the main
 * thread's instead).
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
