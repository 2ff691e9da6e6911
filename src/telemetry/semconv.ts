/**
 * Attribute and metric names used by this service, in one place. The RPC
 * names follow the OpenTelemetry semantic conventions: the long-standing set
 * (`rpc.system`, `rpc.grpc.status_code`, …) by default, and the newer set
 * (`rpc.system.name`, `rpc.response.status_code`, …) when
 * OTEL_SEMCONV_STABILITY_OPT_IN asks for `rpc` (new only) or `rpc/dup` (both).
 */

export const ATTR_RPC_SYSTEM = "rpc.system";
export const ATTR_RPC_SERVICE = "rpc.service";
export const ATTR_RPC_METHOD = "rpc.method";
export const ATTR_RPC_GRPC_STATUS_CODE = "rpc.grpc.status_code";
export const ATTR_RPC_CONNECT_RPC_ERROR_CODE = "rpc.connect_rpc.error_code";
export const ATTR_SERVER_ADDRESS = "server.address";
export const ATTR_SERVER_PORT = "server.port";

/** Newer (stable-track) RPC names. */
export const ATTR_RPC_SYSTEM_NAME = "rpc.system.name";
export const ATTR_RPC_RESPONSE_STATUS_CODE = "rpc.response.status_code";
export const ATTR_ERROR_TYPE = "error.type";

export const ATTR_HTTP_RESPONSE_STATUS_CODE = "http.response.status_code";

/** This service's own attributes: never values from a request, only their shape. */
export const ATTR_PARA_ENDPOINT = "para.endpoint";
export const ATTR_PARA_OUTCOME = "para.outcome";
export const ATTR_PARA_WALLET_TYPE = "para.wallet_type";
export const ATTR_PARA_MESSAGE_LENGTH = "para.message.length";
/** EVM chain id of a transaction or authorization (a public network number, never a user's value). */
export const ATTR_PARA_CHAIN_ID = "para.chain_id";
/** What kind of payload was signed: "message", "evm_transaction", "typed_data", "authorization", "solana_transaction". */
export const ATTR_PARA_SIGN_KIND = "para.sign.kind";
/** Whether an idempotent call answered a stored response (true) or ran (false); never the key. */
export const ATTR_IDEMPOTENCY_REPLAYED = "para_signer.idempotency.replayed";
/** Items in a SignMessages batch. */
export const ATTR_BATCH_ITEMS = "para_signer.batch.items";
/** EVM envelope ("legacy", "eip2930", "eip1559", "eip7702") or Solana message version ("legacy", "v0"). */
export const ATTR_PARA_TRANSACTION_TYPE = "para.transaction.type";
/** Length in bytes of the caller's transaction or typed-data JSON. */
export const ATTR_PARA_TRANSACTION_LENGTH = "para.transaction.length";

export const METRIC_RPC_SERVER_CALL_DURATION = "rpc.server.call.duration";
export const METRIC_RPC_SERVER_ACTIVE_CALLS = "rpc.server.active_calls";
export const METRIC_PARA_CLIENT_DURATION = "para.client.request.duration";

/**
 * Histogram buckets for durations in seconds, as the semantic conventions advise for RPC and HTTP durations (the
 * SDK's default buckets, 0 to 10000, are meant for milliseconds and would put every call in the first one).
 */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export type SemconvMode = { legacy: boolean; stable: boolean };

/** Reads OTEL_SEMCONV_STABILITY_OPT_IN: `rpc` → new names, `rpc/dup` → both, otherwise the legacy names. */
export function semconvMode(optIn: string | undefined): SemconvMode {
  const values = (optIn ?? "").split(",").map((v) => v.trim().toLowerCase());
  if (values.includes("rpc/dup")) return { legacy: true, stable: true };
  if (values.includes("rpc")) return { legacy: false, stable: true };
  return { legacy: true, stable: false };
}

/** Instance pool and signing worker state (telemetry/boundary-metrics.ts): counts only. */
export const METRIC_POOL_IDLE = "para_signer.pool.idle_instances";
export const METRIC_POOL_HANDOUTS = "para_signer.pool.handouts";
export const METRIC_WORKER_EVENTS = "para_signer.signing_worker.events";
export const METRIC_WORKER_HELD_WALLETS = "para_signer.signing_worker.held_wallets";
export const ATTR_POOL_SOURCE = "para.pool.source";
export const ATTR_WORKER_EVENT = "para.worker.event";
/** SDK threads (src/para/threads/): how many can serve, and crashes and replacements. */
export const METRIC_SDK_THREADS_READY = "para_signer.sdk_threads.ready";
export const METRIC_SDK_THREAD_EVENTS = "para_signer.sdk_threads.events";
export const ATTR_SDK_THREAD_EVENT = "para.sdk_thread.event";
