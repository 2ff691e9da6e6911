import type { ParaEnvironment } from "../config.js";
import type { ParaInstanceSource } from "./para-gateway.js";
import { createParaInstance, type ParaInstance } from "./para-sdk.js";
import type { RoundTripListener } from "./para-endpoints.js";
import type { SigningWorkerSupervisor } from "./signing-worker.js";

/**
 * Builds a brand-new SDK instance for every call. It waits for a warm signing
 * worker first: every construction sends the worker an INIT, and with no
 * worker alive each would download and start its own.
 */
export class FreshInstanceFactory implements ParaInstanceSource {
  /** Instances built so far; for metrics and the isolation tests. */
  created = 0;

  constructor(
    private readonly environment: ParaEnvironment,
    private readonly apiKey: string,
    private readonly worker: SigningWorkerSupervisor,
    private readonly onRoundTrip?: RoundTripListener,
  ) {}

  async acquire(_signal: AbortSignal): Promise<ParaInstance> {
    await this.worker.ready();
    this.created++;
    return createParaInstance(this.environment, this.apiKey, this.onRoundTrip);
  }
}
