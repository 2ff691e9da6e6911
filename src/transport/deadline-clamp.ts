import type { IncomingHttpHeaders } from "node:http2";

/** gRPC's timeout units (PROTOCOL-HTTP2.md: TimeoutValue is at most 8 digits). */
const GRPC_UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };
const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const CONNECT_TIMEOUT = /^\d{1,10}$/;

/**
 * Clamps the caller's deadline to the server's cap by rewriting the timeout
 * header before Connect reads it. Connect's own `maxTimeoutMs` refuses a
 * longer deadline with INVALID_ARGUMENT, but standard clients set generous
 * ones (grpcio's timeout=60 arrives as 60.1 s): serving them with the cap is
 * what gRPC servers do. A unary call with no deadline gets the cap too, so no
 * call runs unbounded (streaming calls such as health Watch are meant to stay
 * open). Malformed values are left alone: Connect refuses them as before.
 */
export function clampDeadline(headers: IncomingHttpHeaders, capMs: number, applyWhenAbsent: boolean): void {
  const grpc = headers["content-type"]?.startsWith("application/grpc") ?? false;
  const name = grpc ? "grpc-timeout" : "connect-timeout-ms";
  const value = headers[name];
  if (value === undefined) {
    if (applyWhenAbsent) headers[name] = grpc ? `${capMs}m` : String(capMs);
    return;
  }
  if (typeof value !== "string") return;
  const ms = grpc ? grpcTimeoutMs(value) : connectTimeoutMs(value);
  if (ms !== undefined && ms > capMs) headers[name] = grpc ? `${capMs}m` : String(capMs);
}

/** A `connect-timeout-ms` value in milliseconds, or undefined when malformed. */
export function connectTimeoutMs(value: string): number | undefined {
  return CONNECT_TIMEOUT.test(value) ? Number(value) : undefined;
}

/** A `grpc-timeout` value in milliseconds, or undefined when malformed. */
export function grpcTimeoutMs(value: string): number | undefined {
  const match = GRPC_TIMEOUT.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * GRPC_UNIT_MS[match[2]!]!;
}
