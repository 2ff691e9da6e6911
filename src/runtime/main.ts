import { availableParallelism } from "node:os";
import { runPrimary, isClusterWorker } from "./cluster.js";
import { type Config, ConfigError, envToConfig } from "../config/config.js";
import { startLocalBackend } from "./local-mode.js";
import { startService } from "./service.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { runShutdownHooks } from "../telemetry/shutdown-hooks.js";

/** What runs in this process, as the signal handler sees it. */
interface Running {
  logger: Logger;
  /** Graceful: drains, then stops everything; afterwards nothing keeps the process alive. */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Before exiting at once on a second signal. */
  kill?(): void;
}

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
  stopOnSignals(workers > 1 && !isClusterWorker() ? await startPrimary(config, workers) : await startSingle(config));
}

async function startSingle(config: Config): Promise<Running> {
  const service = await startService(config);
  return { logger: service.logger, stop: () => service.stop() };
}

/** Local mode starts the one local Para backend here (its ports are fixed) and points every worker at it. */
async function startPrimary(config: Config, workers: number): Promise<Running> {
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
  const primary = runPrimary(workers, env, logger);
  return {
    logger,
    // Each worker drains itself (it runs this same file, as a single service); the backend goes last.
    async stop(signal) {
      await primary.stop(signal);
      await local?.stop();
    },
    kill: () => primary.kill(),
  };
}

/**
 * SIGTERM and SIGINT, handled here once for every kind of process: the first drains and exits 0 (1 if stopping
 * failed) after flushing telemetry; a second means "now" and exits 130 without waiting.
 */
function stopOnSignals(running: Running): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      running.kill?.();
      process.exit(130);
    }
    stopping = true;
    running.logger.info({ signal }, "stopping");
    running
      .stop(signal)
      .then(() => runShutdownHooks())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          running.logger.error({ error: error instanceof Error ? error.name : "unknown" }, "stop failed");
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
