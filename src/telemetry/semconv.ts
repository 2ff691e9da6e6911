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

export const METRIC_RPC_SERVER_CALL_DURATION = "rpc.server.call.duration";
export const METRIC_RPC_SERVER_ACTIVE_CALLS = "rpc.server.active_calls";
export const METRIC_PARA_CLIENT_DURATION = "para.client.request.duration";

export type SemconvMode = { legacy: boolean; stable: boolean };

/** Reads OTEL_SEMCONV_STABILITY_OPT_IN: `rpc` → new names, `rpc/dup` → both, otherwise the legacy names. */
export function semconvMode(optIn: string | undefined): SemconvMode {
  const values = (optIn ?? "").split(",").map((v) => v.trim().toLowerCase());
  if (values.includes("rpc/dup")) return { legacy: true, stable: true };
  if (values.includes("rpc")) return { legacy: false, stable: true };
  return { legacy: true, stable: false };
}
