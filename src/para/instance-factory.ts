import { context } from "@opentelemetry/api";
import type { ParaEnvironment } from "../config/config.js";
import type { HttpOptions, ParaInstance } from "./sdk/para-instance.js";
import { loadedParaSdk, loadParaSdk } from "./para-sdk-loader.js";
import type { RoundTripListener } from "./para-endpoints.js";
import type { SigningWorkerSupervisor } from "./signing-worker.js";

/**
 * Builds a brand-new SDK instance for every call. It waits for a warm signing
 * worker first: every construction sends the worker an INIT, and with no
 * worker alive each would download and start its own.
 */
export class FreshInstanceFactory {
  constructor(
    private readonly environment: ParaEnvironment,
    private readonly apiKey: string,
    private readonly worker: SigningWorkerSupervisor,
    private readonly onRoundTrip?: RoundTripListener,
    private readonly http?: HttpOptions,
  ) {}

  /**
   * Admits a background construction with `reserve` (its round trips against Para's budget) only if it will send
   * them: not while Para's answers to them are kept (sdk/anonymous-answers.ts); always while the SDK is not loaded.
   */
  admitConstruction(reserve: () => Promise<void>): Promise<void> {
    const sdk = loadedParaSdk();
    const sends = !sdk || !this.http || sdk.constructionSendsRoundTrips(this.http);
    return sends ? reserve() : Promise.resolve();
  }

  /** `onRoundTrip`, when given, observes this instance's round trips instead of the factory's listener. */
  async create(onRoundTrip: RoundTripListener | undefined = this.onRoundTrip): Promise<ParaInstance> {
    // The context the construction's round trips are reported in (a caller's, or a background construction's,
    // which records none), read before the first await: no context crosses one (telemetry/sync-context-manager.ts).
    const traceContext = context.active();
    await this.worker.ready();
    const sdk = loadedParaSdk() ?? (await loadParaSdk());
    return context.with(traceContext, () => sdk.createParaInstance(this.environment, this.apiKey, onRoundTrip, this.http));
  }
}
