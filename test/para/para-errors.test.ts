import { durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { isParaOutage, mapParaError } from "../../src/para/para-errors.js";

/**
 * mapParaError with fakes of what the SDK throws, in the shapes src/para/sdk/sdk-internals.ts reads: the SDK's
 * ParaApiError (its class is internal: duck-typed by an `isParaApiError` flag on its prototype), the worker's
 * crash, exit and time-out messages, and the wallet check's refusals. Para's own words (which may echo the request)
 * are planted in every fake and must never reach the message.
 */

const PARA_WORDS = "para-said-secret-token-abc123";

/** What the SDK throws for a failed round trip: `status` when Para answered, axios' `code` otherwise. */
class FakeParaApiError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly code: string | undefined,
  ) {
    super(`Request failed: ${PARA_WORDS}`);
  }
}
Object.defineProperty(FakeParaApiError.prototype, "isParaApiError", { value: true });

interface Read {
  code: Code;
  message: string;
  reason: string | undefined;
  retryMs: number | undefined;
}

function read(error: ConnectError): Read {
  const retry = error.findDetails(RetryInfoSchema)[0]?.retryDelay;
  return {
    code: error.code,
    message: error.rawMessage,
    reason: error.findDetails(ErrorInfoSchema)[0]?.reason,
    retryMs: retry ? durationMs(retry) : undefined,
  };
}

function mapped(error: unknown, observed?: { status: number | undefined; code: string | undefined }): Read {
  const result = mapParaError(error, "sign", observed);
  expect(result.rawMessage).not.toContain(PARA_WORDS);
  return read(result);
}

describe("mapParaError: the SDK's ParaApiError, by HTTP status", () => {
  test.each([
    [429, { code: Code.ResourceExhausted, message: "para sign: rate limited", reason: "PARA_RATE_LIMITED", retryMs: 1_000 }],
    [401, { code: Code.Unauthenticated, message: "para sign: session not authenticated", reason: "SESSION_INACTIVE", retryMs: undefined }],
    [403, { code: Code.Unauthenticated, message: "para sign: session not authenticated", reason: "SESSION_INACTIVE", retryMs: undefined }],
    [500, { code: Code.Unavailable, message: "para sign unavailable (status 500)", reason: "PARA_UNAVAILABLE", retryMs: 2_000 }],
    [503, { code: Code.Unavailable, message: "para sign unavailable (status 503)", reason: "PARA_UNAVAILABLE", retryMs: 2_000 }],
    [408, { code: Code.Unavailable, message: "para sign unavailable (status 408)", reason: "PARA_UNAVAILABLE", retryMs: 2_000 }],
    [400, { code: Code.Internal, message: "para sign failed (status 400)", reason: undefined, retryMs: undefined }],
    [404, { code: Code.Internal, message: "para sign failed (status 404)", reason: undefined, retryMs: undefined }],
  ])("status %i", (status, expected) => {
    expect(mapped(new FakeParaApiError(status, "ERR_BAD_RESPONSE"))).toEqual(expected);
  });

  test("no answer from Para: UNAVAILABLE naming the transport's code, lower-case", () => {
    expect(mapped(new FakeParaApiError(undefined, "ECONNREFUSED"))).toEqual({
      code: Code.Unavailable,
      message: "para sign unavailable (econnrefused)",
      reason: "PARA_UNAVAILABLE",
      retryMs: 2_000,
    });
    expect(mapped(new FakeParaApiError(undefined, undefined)).message).toBe("para sign unavailable (connection failed)");
  });

  test("a ParaApiError without status or code, rethrown by the SDK's state machine: the observed round trip decides", () => {
    expect(mapped(new FakeParaApiError(undefined, undefined), { status: 429, code: undefined }).reason).toBe("PARA_RATE_LIMITED");
    // Its own status wins over the observed one.
    expect(mapped(new FakeParaApiError(401, undefined), { status: 429, code: undefined }).code).toBe(Code.Unauthenticated);
  });

  test("the SDK's error stays as the cause (logged redacted, never sent)", () => {
    const sdkError = new FakeParaApiError(503, undefined);
    expect(mapParaError(sdkError, "sign").cause).toBe(sdkError);
  });
});

describe("mapParaError: the signing worker and the wallet check", () => {
  const workerUnavailable = { code: Code.Unavailable, message: "para sign failed: signing worker unavailable", reason: "PARA_UNAVAILABLE", retryMs: 2_000 };

  test.each([
    ["a job's crash", `worker error with workId 1f2e and opts {"params":{"message":"${PARA_WORDS}"}}: boom`],
    ["the worker's exit", "worker exited unexpectedly with code 1"],
    ["the SDK's 90 s time-out", "worker operation timed out after 90000 ms"],
  ])("%s: UNAVAILABLE PARA_UNAVAILABLE with RetryInfo", (_, message) => {
    expect(mapped(new Error(message))).toEqual(workerUnavailable);
  });

  test.each(["wallet with id w-1 does not exist", "no valid wallet id found", "wallet w-1 is not owned by the current user"])(
    "the SDK's wallet check (%s): NOT_FOUND without the id",
    (message) => {
      expect(mapped(new Error(message))).toEqual({ code: Code.NotFound, message: "wallet not found in session", reason: undefined, retryMs: undefined });
    },
  );
});

describe("mapParaError: anything else", () => {
  test("a ConnectError is kept as it is", () => {
    const own = new ConnectError("deadline", Code.DeadlineExceeded);
    expect(mapParaError(own, "sign")).toBe(own);
  });

  test("an unknown error with an observed failed round trip maps by that round trip", () => {
    expect(mapped(new Error(PARA_WORDS), { status: 502, code: undefined }).message).toBe("para sign unavailable (status 502)");
    expect(mapped(new Error(PARA_WORDS), { status: undefined, code: "ECONNRESET" }).message).toBe("para sign unavailable (econnreset)");
  });

  test("an unknown error and nothing observed: INTERNAL, generic", () => {
    expect(mapped(new Error(PARA_WORDS))).toEqual({ code: Code.Internal, message: "para sign failed", reason: undefined, retryMs: undefined });
    expect(mapped("a thrown string")).toEqual({ code: Code.Internal, message: "para sign failed", reason: undefined, retryMs: undefined });
  });
});

test("isParaOutage: no answer or a 5xx is an outage; a 4xx is Para refusing", () => {
  expect([undefined, 500, 503, 599].map(isParaOutage)).toEqual([true, true, true, true]);
  expect([400, 401, 404, 429].map(isParaOutage)).toEqual([false, false, false, false]);
});
