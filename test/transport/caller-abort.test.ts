// Attacker: a caller who resets its calls on purpose, to fill the error logs and alerts with INTERNAL server faults;
// honest users: the caller whose deadline fires, or who cancels. Both are recorded for what they were (CANCELLED or
// DEADLINE_EXCEEDED, never INTERNAL), so no reset raises an alarm. Connect's own clients reset the stream
// with INTERNAL_ERROR when their deadline fires, so without a correction the server recorded the caller's deadline
// as an INTERNAL server fault (span in error, error-level log). Seen as a flaky spans test: the client's timer and
// ours race, and whichever fires first decides the code.
import * as http2 from "node:http2";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callerAbortOutcome, DEADLINE_SKEW_MS } from "../../src/transport/caller-abort.js";
import { startTransportServer, type TransportServer } from "./transport-server.js";

const aborted = (reason: unknown) => {
  const c = new AbortController();
  c.abort(reason);
  return c.signal;
};
const reset = (code: Code) => new ConnectError("http/2 stream closed with error code INTERNAL_ERROR (0x2)", code);

describe("callerAbortOutcome", () => {
  const now = 10_000;

  test("a caller's reset near its deadline is DEADLINE_EXCEEDED, earlier it is CANCELLED", () => {
    const reason = reset(Code.Internal);
    expect(ConnectError.from(callerAbortOutcome(reason, aborted(reason), now + DEADLINE_SKEW_MS - 1, now)).code).toBe(Code.DeadlineExceeded);
    expect(ConnectError.from(callerAbortOutcome(reason, aborted(reason), now - 5, now)).code).toBe(Code.DeadlineExceeded);
    expect(ConnectError.from(callerAbortOutcome(reason, aborted(reason), now + DEADLINE_SKEW_MS + 1, now)).code).toBe(Code.Canceled);
    expect(ConnectError.from(callerAbortOutcome(reason, aborted(reason), undefined, now)).code).toBe(Code.Canceled);
    const cancel = reset(Code.Canceled);
    expect(ConnectError.from(callerAbortOutcome(cancel, aborted(cancel), now + 5_000, now)).code).toBe(Code.Canceled);
  });

  test("our own deadline and shutdown keep their codes; a call not aborted keeps its error", () => {
    const deadline = new ConnectError("the operation timed out", Code.DeadlineExceeded);
    expect(callerAbortOutcome(deadline, aborted(deadline), now + 5_000, now)).toBe(deadline);
    const shutdown = new ConnectError("server shutting down", Code.Unavailable);
    expect(callerAbortOutcome(shutdown, aborted(shutdown), now, now)).toBe(shutdown);
    const fault = new ConnectError("para sign failed", Code.Internal);
    expect(callerAbortOutcome(fault, new AbortController().signal, now, now)).toBe(fault);
  });

  test("a failure other than the abort itself is kept, although the caller went away", () => {
    const fault = new ConnectError("para unavailable", Code.Unavailable);
    const reason = reset(Code.Internal);
    expect(callerAbortOutcome(fault, aborted(reason), now, now)).toBe(fault);
  });
});

describe("on a running server: the code the span and the access log see", () => {
  const seen: Code[] = [];
  let waiting: ((code: Code) => void) | undefined;
  // Where the tracing and logging interceptors sit: outside the one under test.
  const recorder: Interceptor = (next) => async (req) => {
    try {
      return await next(req);
    } catch (error) {
      const code = ConnectError.from(error).code;
      seen.push(code);
      waiting?.(code);
      throw error;
    }
  };
  let running: TransportServer;
  beforeAll(async () => {
    running = await startTransportServer({ SIGNER_MAX_TIMEOUT_MS: "30000" }, undefined, [recorder]);
  });
  afterAll(() => running.stop());

  /** Health Check "slow" (answers only when aborted), reset by the caller `resetAfterMs` in with `rstCode`. */
  async function resetCall(protocol: "grpc" | "connect", timeoutMs: number, resetAfterMs: number, rstCode: number): Promise<Code> {
    const outcome = new Promise<Code>((resolve) => {
      waiting = resolve;
    });
    const session = http2.connect(`http://127.0.0.1:${running.port}`);
    const proto = Buffer.from([0x0a, 0x04, ...Buffer.from("slow")]);
    const headers =
      protocol === "grpc"
        ? { "content-type": "application/grpc", te: "trailers", "grpc-timeout": `${timeoutMs}m` }
        : { "content-type": "application/proto", "connect-protocol-version": "1", "connect-timeout-ms": String(timeoutMs) };
    const stream = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", ...headers });
    stream.on("error", () => undefined);
    const frame = Buffer.alloc(5);
    frame.writeUInt32BE(proto.length, 1);
    stream.end(protocol === "grpc" ? Buffer.concat([frame, proto]) : proto);
    await new Promise((r) => setTimeout(r, resetAfterMs));
    stream.close(rstCode);
    try {
      return await outcome;
    } finally {
      session.close();
    }
  }

  for (const protocol of ["grpc", "connect"] as const) {
    test(`${protocol}: a reset with INTERNAL_ERROR as the caller's deadline runs out is DEADLINE_EXCEEDED, not INTERNAL`, async () => {
      // Reset 10 ms before our deadline (well inside the 100 ms skew, however late the request was read); if our timer
      // fires first (a loaded machine), DEADLINE_EXCEEDED all the same.
      expect(await resetCall(protocol, 1_000, 990, http2.constants.NGHTTP2_INTERNAL_ERROR)).toBe(Code.DeadlineExceeded);
    });

    test(`${protocol}: a reset long before the deadline is CANCELLED, whatever its HTTP/2 code`, async () => {
      expect(await resetCall(protocol, 20_000, 100, http2.constants.NGHTTP2_INTERNAL_ERROR)).toBe(Code.Canceled);
      expect(await resetCall(protocol, 20_000, 100, http2.constants.NGHTTP2_CANCEL)).toBe(Code.Canceled);
    });
  }

  test("nothing was recorded as a server fault", () => {
    expect(seen).not.toContain(Code.Internal);
  });
});
