/**
 * Names for Para round trips, for metrics, spans and logs: a fixed template
 * per endpoint, never the path itself (paths carry user and wallet ids).
 */
export type ParaEndpoint =
  | "touch"
  | "partner"
  | "logout"
  | "keep_alive"
  | "wallets"
  | "jwt"
  | "error_report"
  | "sessions_verify"
  | "wallets_verify"
  | "jwks"
  | "transaction_sign"
  | "pending_transaction"
  | "other";

const PATTERNS: Array<[RegExp, ParaEndpoint]> = [
  [/^\/?touch\b/, "touch"],
  [/^\/?partners\//, "partner"],
  [/^\/?logout\b/, "logout"],
  [/^\/?users\/[^/]+\/session\/keep-alive$/, "keep_alive"],
  [/^\/?users\/[^/]+\/wallets$/, "wallets"],
  [/^\/?auth\/jwt$/, "jwt"],
  [/^\/?errors\/sdk$/, "error_report"],
  [/^\/?sessions\/verify$/, "sessions_verify"],
  [/^\/?wallets\/verify$/, "wallets_verify"],
  [/^\/?\.well-known\/jwks\.json$/, "jwks"],
  // Sent by the signing worker (its own client), so seen here only if the SDK ever sends it from the main thread.
  [/^\/?users\/[^/]+\/wallets\/[^/]+\/transactions\/sign$/, "transaction_sign"],
  // AwaitReview's polls of a transaction review's state.
  [/^\/?users\/[^/]+\/pending-transactions\/[^/]+$/, "pending_transaction"],
];

export function paraEndpointOf(path: string): ParaEndpoint {
  const bare = path.split("?")[0] ?? "";
  for (const [pattern, name] of PATTERNS) if (pattern.test(bare)) return name;
  return "other";
}

/** One finished Para round trip. `status` is undefined when no HTTP answer came. */
export interface ParaRoundTrip {
  endpoint: ParaEndpoint;
  status: number | undefined;
  durationMs: number;
  /** When it ended (epoch ms), when it is recorded later than that (SDK threads send theirs with their answers). */
  endedAt?: number;
}

export type RoundTripListener = (trip: ParaRoundTrip) => void;
