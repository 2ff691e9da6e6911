import { answeredLocally } from "./anonymous-answers.js";
import { paraEndpointOf, type RoundTripListener } from "../para-endpoints.js";
import type { ParaFailure } from "../para-errors.js";
import { type SdkHttpClient, type SdkRequestConfig, type SdkResponseTransform, sdkApiFailureOf } from "./sdk-internals.js";

/** What the observer learnt from an instance's round trips. */
export interface ResponseObserver {
  /**
   * The last failed Para round trip. The SDK's state machine rethrows construction failures as
   * `Error("[object Object]")`, losing the HTTP status; this keeps it so the failure can be mapped correctly.
   */
  lastFailure(): ParaFailure | undefined;
}

/**
 * Watches every HTTP round trip of one SDK instance's API client: reports each (endpoint template, status, duration)
 * to a listener, and remembers the last failure. Install it synchronously after construction: the SDK sends
 * nothing before its constructor returns (docs/para-sdk.md §2.1), so every round trip of the instance is observed.
 * `listenerAtStart` names each request's listener as the request starts (para-instance.ts reports a round trip in
 * the trace context its request started in); a failure not tied to one request is told to the listener of now.
 */
export function observeResponses(http: SdkHttpClient, listenerAtStart?: () => RoundTripListener): ResponseObserver {
  let lastFailure: ParaFailure | undefined;
  const inFlight = new Map<SdkRequestConfig, { startedAt: number; listener: RoundTripListener | undefined }>();
  const finish = (config: SdkRequestConfig | undefined, status: number | undefined) => {
    const started = config ? inFlight.get(config) : undefined;
    if (config) inFlight.delete(config);
    if (status !== 200) lastFailure = { status, code: lastFailure?.code };
    const listener = started ? started.listener : listenerAtStart?.();
    listener?.({ endpoint: paraEndpointOf(config?.url ?? ""), status, durationMs: started === undefined ? 0 : performance.now() - started.startedAt });
  };
  // axios runs `transformResponse` for every HTTP answer, error statuses too, before the SDK's own interceptor turns
  // errors into status-less messages (docs/para-sdk.md §1 "Status handling").
  http.interceptors.request.use((config) => {
    inFlight.set(config, { startedAt: performance.now(), listener: listenerAtStart?.() });
    const observe: SdkResponseTransform = function (data, _headers, status) {
      // A kept answer to a construction request (anonymous-answers.ts) was no round trip to Para.
      if (answeredLocally(this)) inFlight.delete(this);
      else finish(this, status);
      return data;
    };
    const existing = config.transformResponse;
    config.transformResponse = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), observe];
    return config;
  });
  // Registered after the SDK's own response interceptor, so it sees the SDK's ParaApiError.
  http.interceptors.response.use(
    (res) => res,
    (error: unknown) => {
      const failure = sdkApiFailureOf(error);
      if (failure?.status === undefined) {
        // No HTTP answer (refused, reset, DNS): the request is the one still in flight, if only one is.
        lastFailure = { status: undefined, code: failure?.code };
        const pending = inFlight.size === 1 ? [...inFlight.keys()][0] : undefined;
        finish(pending, undefined);
      }
      throw error;
    },
  );
  return { lastFailure: () => lastFailure };
}
