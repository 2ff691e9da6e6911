// Fault injection, applied before the real handler of an endpoint. Faults can be scoped to one API key so test
// files running in parallel against the one shared backend never trip over each other's faults.
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "./http-util.js";
import type { FaultEndpoint, FaultSpec } from "./types.js";

interface ActiveFault {
  id: string;
  spec: FaultSpec;
  remaining: number;
}

/** What the caller should do after faults ran: continue to the real handler, or stop (already answered/hung/dropped). */
export type FaultOutcome = "continue" | "handled" | "crashWorker";

const ENDPOINTS: ReadonlySet<string> = new Set<FaultEndpoint>([
  "touch",
  "partner",
  "logout",
  "keepAlive",
  "wallets",
  "jwt",
  "jwks",
  "messagesSign",
  "transactionsSign",
  "mpcSign",
  "sessionsVerify",
  "walletsVerify",
  "errorsSdk",
  "bundle",
  "wasm",
]);

export class Faults {
  private faults: ActiveFault[] = [];
  applied = 0;

  /** Latencies being waited out; stop ends them all at once (one listener, not one per delayed request). */
  private readonly delays = new Set<() => void>();

  constructor(private readonly stopped: AbortSignal) {
    stopped.addEventListener(
      "abort",
      () => {
        for (const end of this.delays) end();
      },
      { once: true },
    );
  }

  /** Resolves true after `ms`, or false as soon as the backend stops. */
  private delay(ms: number): Promise<boolean> {
    if (this.stopped.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.delays.delete(end);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.delays.delete(end);
        resolve(true);
      }, ms);
      this.delays.add(end);
    });
  }

  add(spec: FaultSpec): string {
    if (!ENDPOINTS.has(spec.endpoint)) throw new Error(`unknown fault endpoint: ${String(spec.endpoint)}`);
    if (spec.crashWorker === true && spec.endpoint !== "mpcSign") throw new Error("crashWorker applies to mpcSign only");
    const id = randomUUID();
    this.faults.push({ id, spec, remaining: spec.times ?? Number.POSITIVE_INFINITY });
    return id;
  }

  /** Clears faults of one key's scope, or all faults. */
  clear(apiKey?: string): void {
    this.faults = apiKey === undefined ? [] : this.faults.filter((f) => f.spec.apiKey !== apiKey);
  }

  /**
   * Runs the faults matching this request. `scopeKey` is the public API key the request belongs to (undefined
   * for requests that carry none, e.g. the bundle download: only unscoped faults reach those). `userId` is the
   * user the request's path names, for faults scoped to one user.
   */
  async apply(endpoint: FaultEndpoint, scopeKey: string | undefined, res: ServerResponse, userId?: string): Promise<FaultOutcome> {
    const matching = this.faults.filter(
      (f) =>
        f.spec.endpoint === endpoint &&
        (f.spec.apiKey === undefined || f.spec.apiKey === scopeKey) &&
        (f.spec.userId === undefined || f.spec.userId === userId),
    );
    if (matching.length === 0) return "continue";
    for (const f of matching) if (--f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
    this.applied += matching.length;
    const latency = matching.reduce((ms, f) => ms + (f.spec.latencyMs ?? 0), 0);
    if (latency > 0) {
      // False: the backend is stopping; its sockets are being destroyed.
      if (!(await this.delay(latency))) return "handled";
    }
    for (const { spec } of matching) {
      if (spec.drop === true) {
        res.socket?.destroy();
        return "handled";
      }
      // Never answered; stop() destroys the socket so the server still closes promptly.
      if (spec.hang === true) return "handled";
      if (spec.crashWorker === true) return "crashWorker";
      if (spec.status !== undefined || spec.body !== undefined) {
        const status = spec.status ?? 200;
        sendJson(res, status, spec.body ?? { message: `local Para: injected fault (${status})` });
        return "handled";
      }
    }
    return "continue";
  }
}
