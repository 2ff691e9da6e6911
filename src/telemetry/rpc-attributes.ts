import type { Attributes } from "@opentelemetry/api";
import * as sc from "./semconv.js";
import { statusName } from "./status-codes.js";

/**
 * The RPC semantic-convention attributes of a call, in one place for every span that stands for a call: the
 * tracing interceptor's, and the transport's for calls it refuses before any interceptor runs. `grpc`: the gRPC
 * protocol (else Connect or gRPC-Web over Connect's names).
 */
export function rpcNameAttributes(service: string, method: string, grpc: boolean, semconv: sc.SemconvMode): Attributes {
  const attrs: Attributes = {};
  if (semconv.legacy) {
    attrs[sc.ATTR_RPC_SYSTEM] = grpc ? "grpc" : "connect_rpc";
    attrs[sc.ATTR_RPC_SERVICE] = service;
    attrs[sc.ATTR_RPC_METHOD] = method;
  }
  if (semconv.stable) {
    attrs[sc.ATTR_RPC_SYSTEM_NAME] = grpc ? "grpc" : "connectrpc";
    attrs[sc.ATTR_RPC_METHOD] = `${service}/${method}`;
  }
  return attrs;
}

/** The outcome attributes for a finished call with gRPC status `code`. */
export function rpcOutcomeAttributes(code: number, grpc: boolean, semconv: sc.SemconvMode): Attributes {
  const attrs: Attributes = {};
  if (semconv.legacy) {
    attrs[sc.ATTR_RPC_GRPC_STATUS_CODE] = code;
    if (!grpc && code !== 0) attrs[sc.ATTR_RPC_CONNECT_RPC_ERROR_CODE] = statusName(code).toLowerCase();
  }
  if (semconv.stable) {
    attrs[sc.ATTR_RPC_RESPONSE_STATUS_CODE] = statusName(code);
    if (code !== 0) attrs[sc.ATTR_ERROR_TYPE] = statusName(code);
  }
  return attrs;
}
