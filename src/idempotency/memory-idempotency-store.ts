import { createHash } from "node:crypto";
import { ConnectError } from "@connectrpc/connect";
import { callCancelled, idempotencyKeyReused } from "../errors/error-model.js";
import { checkIdempotencyOptions, DEFAULT_IDEMPOTENCY_OPTIONS, type IdempotencyOptions } from "./idempotency-options.js";
import { type IdempotencyStore, type IdempotencyStoreStats, isDefinitiveFailure } from "./idempotency-store.js";

type Outcome = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly error: unknown };

type Entry =
  | { readonly state: "running"; readonly fingerprint: string; readonly settled: Promise<Outcome> }
  | { readonly state: "done"; readonly fingerprint: string; readonly bytes: Uint8Array; readonly expiresAt: number };

/**
 * The id an entry is filed under: a hash of (scope, key), so the store never holds a key in clear. The pair is
 * JSON-encoded before hashing so that no (scope, key) split can collide with another.
 */
export function idempotencyEntryId(scope: string, key: string): string {
  return createHash("sha256")
    .update(JSON.stringify([scope, key]))
    .digest("hex");
}

/**
 * The per-process `IdempotencyStore` (semantics in idempotency-store.ts). A mesh keeps a key on one replica by
 * consistent hashing on the `idempotency-key` header (README); a shared store (e.g. Redis) would implement the same
 * interface.
 *
 * Memory: entries live in one Map in the order they were filed (a result is re-filed when it completes), so with one
 * TTL the oldest results are at the front. Expiry is lazy (an expired entry found by a lookup is dropped) plus a sweep
 * of the expired front on every call and every `stats()`: no timer, so nothing keeps the process alive and nothing
 * needs closing. Over `maxEntries` or `maxBytes`, the oldest remembered results are evicted first; a run in flight is
 * never evicted (it holds no bytes, and dropping it would let a duplicate start a second run). When every entry is a
 * run in flight, a new run is still admitted: runs in flight are bounded by the server's concurrency limits.
 *
 * `now` is a monotonic millisecond clock (injectable for tests); wall-clock jumps do not move expiry.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly options: IdempotencyOptions;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private runningCount = 0;
  private heldBytes = 0;
  private evictedCount = 0;
  private expiredCount = 0;

  constructor(options: IdempotencyOptions = DEFAULT_IDEMPOTENCY_OPTIONS, now: () => number = () => performance.now()) {
    this.options = checkIdempotencyOptions(options);
    this.now = now;
  }

  async run(scope: string, key: string, fingerprint: string, signal: AbortSignal, work: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const id = idempotencyEntryId(scope, key);
    for (;;) {
      if (signal.aborted) throw abortReason(signal);
      this.sweepExpired();
      const entry = this.lookUp(id);
      if (entry && entry.fingerprint !== fingerprint) throw idempotencyKeyReused();
      if (entry?.state === "done") return entry.bytes.slice();
      if (!entry) {
        // Ours: whatever happens to this caller, the run's outcome is recorded (`start`), and the caller gets it.
        const outcome = await untilAborted(this.start(id, fingerprint, work), signal);
        if (outcome.ok) return outcome.bytes;
        throw outcome.error;
      }
      const outcome = await untilAborted(entry.settled, signal);
      if (outcome.ok) return outcome.bytes.slice();
      if (isDefinitiveFailure(outcome.error)) throw outcome.error;
      // The run failed in a way worth retrying and left nothing behind: run again, as if this call had come first.
    }
  }

  stats(): IdempotencyStoreStats {
    this.sweepExpired();
    return {
      entries: this.entries.size,
      inFlight: this.runningCount,
      bytes: this.heldBytes,
      evicted: this.evictedCount,
      expired: this.expiredCount,
    };
  }

  /** Files a running entry and starts `work`; the returned promise settles after the outcome is recorded. */
  private start(id: string, fingerprint: string, work: () => Promise<Uint8Array>): Promise<Outcome> {
    const settled = runCatching(work).then((outcome) => {
      this.finish(id, fingerprint, outcome);
      return outcome;
    });
    this.evictOldest(() => this.entries.size >= this.options.maxEntries);
    this.entries.set(id, { state: "running", fingerprint, settled });
    this.runningCount++;
    return settled;
  }

  /** Replaces the running entry (never evicted nor expired, so still filed) by its result, or by nothing on failure. */
  private finish(id: string, fingerprint: string, outcome: Outcome): void {
    this.entries.delete(id);
    this.runningCount--;
    if (!outcome.ok || outcome.bytes.byteLength > this.options.maxBytes) return;
    const bytes = outcome.bytes.slice();
    this.evictOldest(() => this.heldBytes + bytes.byteLength > this.options.maxBytes || this.entries.size >= this.options.maxEntries);
    this.entries.set(id, { state: "done", fingerprint, bytes, expiresAt: this.now() + this.options.ttlMs });
    this.heldBytes += bytes.byteLength;
  }

  private lookUp(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry?.state === "done" && entry.expiresAt <= this.now()) {
      this.drop(id, entry);
      this.expiredCount++;
      return undefined;
    }
    return entry;
  }

  /** Drops expired results from the front; stops at the first live one (all later ones expire later). */
  private sweepExpired(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.state === "running") continue;
      if (entry.expiresAt > now) return;
      this.drop(id, entry);
      this.expiredCount++;
    }
  }

  /** Drops the oldest remembered results while `over()` holds, skipping runs in flight. */
  private evictOldest(over: () => boolean): void {
    for (const [id, entry] of this.entries) {
      if (!over()) return;
      if (entry.state === "running") continue;
      this.drop(id, entry);
      this.evictedCount++;
    }
  }

  private drop(id: string, entry: Entry & { state: "done" }): void {
    this.entries.delete(id);
    this.heldBytes -= entry.bytes.byteLength;
  }
}

async function runCatching(work: () => Promise<Uint8Array>): Promise<Outcome> {
  try {
    return { ok: true, bytes: await work() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Waits for `settled` unless `signal` aborts first; the run behind `settled` is not touched either way. */
function untilAborted(settled: Promise<Outcome>, signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    void settled.then((outcome) => {
      signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    });
  });
}

/** The caller's own ending: the ConnectError its signal carries (Connect aborts with DEADLINE_EXCEEDED or CANCELLED), else CANCELLED. */
function abortReason(signal: AbortSignal): ConnectError {
  return signal.reason instanceof ConnectError ? signal.reason : callCancelled();
}
