import { type Attributes, type Context, context, type Meter, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { ParaEndpoint, ParaRoundTrip } from "./para-endpoints.js";
import * as sc from "../telemetry/semconv.js";

export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * Child spans and metrics for the Para boundary: one CLIENT span per Para
 * round trip (named by endpoint template, with the HTTP status and outcome)
 * and INTERNAL spans for the steps around them. Attributes are names,
 * statuses, lengths and wallet types only.
 */
export class ParaTelemetry {
  private readonly duration;

  constructor(
    private readonly tracer: Tracer,
    meter: Meter,
    /**
     * Told the HTTP status (or undefined: no answer) of every round trip and when it ended, e.g. to judge Para's
     * reachability (round trips from SDK threads can be reported after later ones).
     */
    private readonly observe: (status: number | undefined, endedAt: number) => void = () => undefined,
  ) {
    this.duration = meter.createHistogram(sc.METRIC_PARA_CLIENT_DURATION, {
      unit: "s",
      description: "Duration of round trips to Para, per endpoint and outcome.",
      advice: { explicitBucketBoundaries: sc.DURATION_BUCKETS_S },
    });
  }

  /**
   * Records a round trip that already happened (the SDK's HTTP client reports them when they finish), under the
   * context active when called: the reporter enters the round trip's call context around it.
   */
  roundTrip(trip: ParaRoundTrip): void {
    const attrs = roundTripAttributes(trip.endpoint, trip.status);
    const endedAt = trip.endedAt ?? Date.now();
    const span = this.tracer.startSpan(`para ${trip.endpoint}`, { kind: SpanKind.CLIENT, attributes: attrs, startTime: endedAt - trip.durationMs });
    if (trip.status !== 200) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(endedAt);
    this.duration.record(trip.durationMs / 1000, attrs);
    this.observe(trip.status, endedAt);
  }

  /**
   * A fetch that records each round trip to `endpoint` as a CLIENT span and a duration. The span's parent is the
   * context active when the fetch is called (read synchronously): start it inside the call's `context.with`.
   */
  fetchFor(endpoint: ParaEndpoint, inner: Fetch = fetch): Fetch {
    return async (input, init) => {
      const started = performance.now();
      const span = this.tracer.startSpan(`para ${endpoint}`, { kind: SpanKind.CLIENT }, context.active());
      let status: number | undefined;
      try {
        const res = await inner(input, init);
        status = res.status;
        return res;
      } finally {
        const attrs = roundTripAttributes(endpoint, status);
        span.setAttributes(attrs);
        if (status === undefined || status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        this.duration.record((performance.now() - started) / 1000, attrs);
        this.observe(status, Date.now());
      }
    };
  }

  /**
   * Runs `fn` inside an INTERNAL child span of `parent` that records its outcome; `fn` gets the span's context, to
   * hand to the work it starts.
   */
  step<T>(name: string, attributes: Attributes, parent: Context, fn: (inner: Context) => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
    return this.stepIn(span, trace.setSpan(parent, span), fn);
  }

  private async stepIn<T>(span: Span, inner: Context, fn: (inner: Context) => Promise<T>): Promise<T> {
    try {
      const result = await fn(inner);
      span.setAttribute(sc.ATTR_PARA_OUTCOME, "ok");
      return result;
    } catch (error) {
      span.setAttribute(sc.ATTR_PARA_OUTCOME, "error");
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  }
}

function roundTripAttributes(endpoint: ParaEndpoint, status: number | undefined): Attributes {
  return {
    [sc.ATTR_PARA_ENDPOINT]: endpoint,
    [sc.ATTR_PARA_OUTCOME]: status === undefined ? "no_response" : status === 200 ? "ok" : "http_error",
    ...(status === undefined ? {} : { [sc.ATTR_HTTP_RESPONSE_STATUS_CODE]: status }),
  };
}
