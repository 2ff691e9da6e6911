import { availableParallelism } from "node:os";
import { runPrimary, isClusterWorker } from "./cluster.js";
import { type Config, ConfigError, envToConfig } from "../config/config.js";
import { startLocalBackend } from "./local-mode.js";
import { startService } from "./service.js";
import { createLogger } from "../telemetry/logger.js";
import { runShutdownHooks } from "../telemetry/shutdown-hooks.js";

/**
 * Entry point: environment → config → service (or, with SIGNER_WORKERS > 1,
 * a primary that runs that many service processes on one port) → signals.
 * A bad configuration value stops start-up with one line naming the variable.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = envToConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`para-signer: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const workers = config.workers === "auto" ? availableParallelism() : config.workers;
  if (workers > 1 && !isClusterWorker()) return startPrimary(config, workers);
  await startSingle(config);
}

async function startSingle(config: Config): Promise<void> {
  const service = await startService(config);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second signal means "now": skip the drain
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

/** Local mode starts the one local Para backend here (its ports are fixed) and points every worker at it. */
async function startPrimary(config: Config, workers: number): Promise<void> {
  const logger = createLogger(config.logLevel);
  const local = config.para.localMode ? await startLocalBackend(logger) : undefined;
  const env = local
    ? {
        ...process.env,
        PARA_ENVIRONMENT: "DEV",
        PARA_API_KEY: local.para.apiKey,
        PARA_SECRET_API_KEY: local.para.secretApiKey,
        PARA_JWT_AUDIENCE: local.para.jwtAudience,
      }
    : process.env;
  await runPrimary(workers, env, logger, async () => {
    await local?.stop();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`para-signer: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
