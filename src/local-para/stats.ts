// Request counters, so tests can assert traffic shape (e.g. "no extra partner fetch", "one bundle download").
import type { EndpointName, LocalParaStats } from "./types.js";

export class Stats {
  private readonly requests: Partial<Record<EndpointName, number>> = {};
  private readonly byApiKey: Record<string, Partial<Record<EndpointName, number>>> = {};
  signatures = 0;

  count(endpoint: EndpointName, apiKey: string | undefined): void {
    this.requests[endpoint] = (this.requests[endpoint] ?? 0) + 1;
    if (apiKey === undefined) return;
    const perKey = (this.byApiKey[apiKey] ??= {});
    perKey[endpoint] = (perKey[endpoint] ?? 0) + 1;
  }

  snapshot(extra: Pick<LocalParaStats, "faultsApplied" | "activeSessions" | "users">): LocalParaStats {
    return {
      requests: { ...this.requests },
      byApiKey: structuredClone(this.byApiKey),
      bundleFetches: this.requests.bundle ?? 0,
      wasmFetches: this.requests.wasm ?? 0,
      signatures: this.signatures,
      ...extra,
    };
  }
}
