// Request counters, so tests can assert traffic shape (e.g. "no extra partner fetch", "one bundle download"). Besides
// the totals, requests are counted per API key, per user and per session cookie: test files share one backend and
// run in parallel, and each reads only the counts of the key, user or session it made.
import type { EndpointName, LocalParaStats, RequestCounts, RequestCountsFilter } from "./types.js";

type Counts = Partial<Record<EndpointName, number>>;

/** Who a request can be attributed to, besides its API key: the user and the cookie of its x-capsule-sid, or the user its path names. */
export interface RequestOwner {
  userId?: string | undefined;
  sessionCookie?: string | undefined;
}

function bump(counts: Counts, endpoint: EndpointName): void {
  counts[endpoint] = (counts[endpoint] ?? 0) + 1;
}

function bumpIn(map: Map<string, Counts>, id: string | undefined, endpoint: EndpointName): void {
  if (id === undefined) return;
  let counts = map.get(id);
  if (counts === undefined) map.set(id, (counts = {}));
  bump(counts, endpoint);
}

export class Stats {
  private readonly requests: Counts = {};
  private readonly byApiKey: Record<string, Counts> = {};
  private readonly byUser = new Map<string, Counts>();
  private readonly bySession = new Map<string, Counts>();
  signatures = 0;

  count(endpoint: EndpointName, apiKey: string | undefined, owner: RequestOwner = {}): void {
    bump(this.requests, endpoint);
    bumpIn(this.byUser, owner.userId, endpoint);
    bumpIn(this.bySession, owner.sessionCookie, endpoint);
    if (apiKey === undefined) return;
    bump((this.byApiKey[apiKey] ??= {}), endpoint);
  }

  /** The requests of one API key, user or session cookie, per endpoint, with their total. */
  requestCounts(filter: RequestCountsFilter): RequestCounts {
    const counts =
      "userId" in filter ? this.byUser.get(filter.userId) : "sessionCookie" in filter ? this.bySession.get(filter.sessionCookie) : this.byApiKey[filter.apiKey];
    const requests = { ...counts };
    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    return { requests, total };
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
