/**
 * Work that must finish before the process exits (flushing telemetry). The
 * OTel bootstrap runs before the app and registers here; main.ts runs the
 * hooks after the service has stopped, just before `process.exit`.
 */
const hooks: Array<() => Promise<void>> = [];

export function onShutdown(hook: () => Promise<void>): void {
  hooks.push(hook);
}

/** Runs every hook, each bounded by `timeoutMs`; failures are ignored (the process is exiting). */
export async function runShutdownHooks(timeoutMs = 5_000): Promise<void> {
  await Promise.allSettled(hooks.map((hook) => Promise.race([hook(), new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())])));
}
