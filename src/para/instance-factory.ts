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
   * Whether a construction now will send Para its round trips (for admission): yes unless Para's answers to them are
   * kept (sdk/anonymous-answers.ts), and yes while the SDK is not loaded.
   */
  sendsRoundTrips(): boolean {
    const sdk = loadedParaSdk();
    return !sdk || !this.http || sdk.constructionSendsRoundTrips(this.http);
  }

  /** `onRoundTrip`, when given, observes this instance's round trips instead of the factory's listener. */
  async create(onRoundTrip: RoundTripListener | undefined = this.onRoundTrip): Promise<ParaInstance> {
    await this.worker.ready();
    const sdk = loadedParaSdk() ?? (await loadParaSdk());
    return sdk.createParaInstance(this.environment, this.apiKey, onRoundTrip, this.http);
  }
}
