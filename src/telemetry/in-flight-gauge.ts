import type { Attributes, Meter } from "@opentelemetry/api";
import { InFlightTracker, type Leave } from "../transport/in-flight.js";

/**
 * Attribute sets kept at zero for reporting; past this, idle ones are forgotten, so hostile `:authority` values
 * cannot grow this map. (The metrics SDK keeps its own series for what was reported, capped by its cardinality limit.)
 */
const MAX_IDLE_SERIES = 64;

/**
 * Calls in progress, per attribute set, as an asynchronous UpDownCounter: the
 * interceptor only moves a number in a map, and the SDK reads the map when it
 * collects. A synchronous counter would hash the attribute set twice per call
 * (on entry and exit), which is a measurable share of a ~0.5 ms call.
 *
 * One count per attribute set, not the drain's total (transport/drain.ts): the metric reports each method, protocol
 * and server address on its own, and its caller (the tracing interceptor) decides when a call ends.
 */
export class InFlightGauge {
  private readonly series = new Map<string, { attributes: Attributes; calls: InFlightTracker }>();

  constructor(meter: Meter, name: string, description: string) {
    meter.createObservableUpDownCounter(name, { unit: "{call}", description }).addCallback((result) => {
      for (const s of this.series.values()) result.observe(s.calls.count, s.attributes);
    });
  }

  /** Counts one call in; the returned function counts it out (once; later calls do nothing). */
  enter(key: string, attributes: Attributes): Leave {
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { attributes, calls: new InFlightTracker() }));
    const entry = s;
    const leave = entry.calls.enter();
    return () => {
      leave();
      // Only this entry: a later one under the same key (this one forgotten meanwhile) may have calls in progress.
      if (entry.calls.count === 0 && this.series.size > MAX_IDLE_SERIES && this.series.get(key) === entry) this.series.delete(key);
    };
  }
}
