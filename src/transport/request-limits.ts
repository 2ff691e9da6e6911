import type { DescMethod } from "@bufbuild/protobuf";
import type { LimitsConfig } from "../config/config.js";

/**
 * Per-RPC request size limits. Connect's `readMaxBytes` is one number for the
 * whole server (SIGNER_MAX_WIRE_BYTES, 4 MiB), yet no request this service
 * accepts can be that large: a session and a message are the only large
 * fields, and each has its own limit. So every RPC gets the limit its own
 * messages can need, and the transport refuses anything larger before it is
 * buffered.
 *
 * The formula (binary protobuf, one request message):
 *
 *   SignerService (and any service not listed below):
 *     SIGNER_MAX_SESSION_BYTES + SIGNER_MAX_MESSAGE_BYTES + 4 KiB
 *     (the 4 KiB covers field tags and length varints, wallet ids, idempotency
 *     keys, enums and flags; 128 KiB + 4 KiB with the defaults)
 *   SignerService/SignMessages (a batch):
 *     SIGNER_MAX_SESSION_BYTES + SIGNER_MAX_BATCH_MESSAGE_BYTES + 4 KiB
 *     + 128 bytes per item up to SIGNER_MAX_BATCH_ITEMS (each item's tags,
 *     length varints, wallet id, enums; 64 KiB + 256 KiB + 4 KiB + 8 KiB
 *     with the defaults)
 *   grpc.health.v1.Health: 1 KiB (a service name)
 *   grpc.reflection.v1 / v1alpha: 16 KiB per message (a file name or symbol)
 *
 * never more than SIGNER_MAX_WIRE_BYTES. JSON codecs (Connect JSON,
 * application/grpc+json) get twice the limit: proto3 JSON spells bytes in
 * base64 (4/3) and adds field names.
 */
export const REQUEST_OVERHEAD_BYTES = 4 * 1024;
export const HEALTH_REQUEST_BYTES = 1024;
export const REFLECTION_REQUEST_BYTES = 16 * 1024;
export const JSON_FACTOR = 2;
/** Per batch item: field tags and length varints, a wallet id (a UUID), the wallet type and format enums. */
export const BATCH_ITEM_OVERHEAD_BYTES = 128;
const BATCH_RPC = "para.signer.v1.SignerService/SignMessages";

const SMALL_SERVICES: ReadonlyMap<string, number> = new Map([
  ["grpc.health.v1.Health", HEALTH_REQUEST_BYTES],
  ["grpc.reflection.v1.ServerReflection", REFLECTION_REQUEST_BYTES],
  ["grpc.reflection.v1alpha.ServerReflection", REFLECTION_REQUEST_BYTES],
]);

type SizeLimits = Pick<LimitsConfig, "maxSessionBytes" | "maxMessageBytes" | "maxWireBytes" | "maxBatchItems" | "maxBatchMessageBytes">;

export interface RouteLimit {
  /** `package.Service/Method`, from the registered routes (never from the request). */
  rpc: string;
  service: string;
  method: string;
  /** Largest binary request message, in bytes (the envelope prefix not included). */
  maxMessageBytes: number;
  /** Exactly one request message (unary, server streaming): limits and the read timeout cover the whole body. */
  singleRequest: boolean;
  /** Unary: the deadline cap also applies to callers that send no deadline. */
  unary: boolean;
}

/** The largest request any route accepts (binary); what Connect's own `readMaxBytes` is set from. */
export function largestRequestBytes(limits: SizeLimits): number {
  return Math.min(limits.maxWireBytes, Math.max(signerRequestBytes(limits), batchRequestBytes(limits)));
}

function signerRequestBytes(limits: SizeLimits): number {
  return limits.maxSessionBytes + limits.maxMessageBytes + REQUEST_OVERHEAD_BYTES;
}

function batchRequestBytes(limits: SizeLimits): number {
  return limits.maxSessionBytes + limits.maxBatchMessageBytes + REQUEST_OVERHEAD_BYTES + limits.maxBatchItems * BATCH_ITEM_OVERHEAD_BYTES;
}

export function routeLimit(method: DescMethod, limits: SizeLimits): RouteLimit {
  const service = method.parent.typeName;
  const rpc = `${service}/${method.name}`;
  const bytes = SMALL_SERVICES.get(service) ?? (rpc === BATCH_RPC ? batchRequestBytes(limits) : signerRequestBytes(limits));
  return {
    rpc,
    service,
    method: method.name,
    maxMessageBytes: Math.min(bytes, limits.maxWireBytes),
    singleRequest: method.methodKind === "unary" || method.methodKind === "server_streaming",
    unary: method.methodKind === "unary",
  };
}

/** Request path (`/package.Service/Method`, as Connect routes it) → its limit. */
export function routeLimits(methods: Iterable<DescMethod>, limits: SizeLimits): Map<string, RouteLimit> {
  const table = new Map<string, RouteLimit>();
  for (const method of methods) {
    const limit = routeLimit(method, limits);
    table.set(`/${limit.rpc}`, limit);
  }
  return table;
}
