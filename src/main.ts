import { ConfigError, envToConfig } from "./config.js";
import { startService } from "./service.js";
import { runShutdownHooks } from "./telemetry/shutdown-hooks.js";

/**
 * Entry point: environment → config → service → signals. A bad configuration
 * value stops start-up with one line naming the variable.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = envToConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`para-signer: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const service = await startService(config);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means "now": skip the drain.
      process.exit(130);
    }
    stopping = true;
    service.logger.info({ signal }, "stopping");
    service
      .stop()
      .then(() => runShutdownHooks())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          service.logger.error({ error: error instanceof Error ? error.name : "unknown" }, "stop failed");
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`para-signer: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
