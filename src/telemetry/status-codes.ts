import { Code } from "@connectrpc/connect";

/** gRPC status OK (Connect's Code enum has no member for it). */
export const OK = 0;

/** The gRPC name of a status code: `OK`, `DEADLINE_EXCEEDED`, … */
export function statusName(code: number): string {
  if (code === OK) return "OK";
  return (Code[code] ?? "Unknown").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

/**
 * Codes that mean the server (or Para behind it) failed, not the request:
 * server spans are errors only for these (RPC semantic conventions, "gRPC
 * Status"), and they are logged at error level.
 */
export function isServerFault(code: number): boolean {
  return [Code.Unknown, Code.DeadlineExceeded, Code.Unimplemented, Code.Internal, Code.Unavailable, Code.DataLoss].includes(code);
}
