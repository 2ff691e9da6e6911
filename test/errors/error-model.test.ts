// Every error constructor of docs/design.md §4: the code, message, ErrorInfo reason and metadata, RetryInfo and
// BadRequest it answers with; every ErrorReason made by one of them; and every reason the docs' error tables name
// made with the code they name.
import { readFileSync } from "node:fs";
import { durationMs } from "@bufbuild/protobuf/wkt";
import { Code, type ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import * as errors from "../../src/errors/error-model.js";

interface Expected {
  code: Code;
  message: string;
  reason?: errors.ErrorReason;
  metadata?: Record<string, string>;
  retryMs?: number;
  violations?: Array<{ field: string; description: string; reason: string }>;
}

const cause = new Error("para's own words, kept out of the message");

/** One row per constructor: how it is called, and exactly what it answers. */
const CONSTRUCTORS: Record<string, { make: () => ConnectError; want: Expected }> = {
  invalidArgument: {
    make: () => errors.invalidArgument("session", "required", "REQUIRED"),
    want: { code: Code.InvalidArgument, message: "invalid session: required", violations: [{ field: "session", description: "required", reason: "REQUIRED" }] },
  },
  sessionInactive: { make: () => errors.sessionInactive(), want: { code: Code.Unauthenticated, message: "session is not active", reason: "SESSION_INACTIVE" } },
  sessionNotExtended: {
    make: () => errors.sessionNotExtended(),
    want: { code: Code.Unauthenticated, message: "session could not be extended", reason: "SESSION_INACTIVE" },
  },
  sessionRefusedByPara: {
    make: () => errors.sessionRefusedByPara("session import", cause),
    want: { code: Code.Unauthenticated, message: "para session import: session not authenticated", reason: "SESSION_INACTIVE" },
  },
  sessionMismatch: {
    make: () => errors.sessionMismatch("wallets"),
    want: {
      code: Code.Unauthenticated,
      message: "session does not match what para confirms (wallets)",
      reason: "SESSION_MISMATCH",
      metadata: { mismatch: "wallets" },
    },
  },
  jwtInvalid: { make: () => errors.jwtInvalid("aud", cause), want: { code: Code.Unauthenticated, message: "jwt invalid: aud", reason: "JWT_INVALID" } },
  jwtExpired: { make: () => errors.jwtExpired(cause), want: { code: Code.Unauthenticated, message: "jwt expired", reason: "JWT_EXPIRED" } },
  verificationTokenInvalid: {
    make: () => errors.verificationTokenInvalid(),
    want: { code: Code.Unauthenticated, message: "verification token is invalid or expired", reason: "VERIFICATION_TOKEN_INVALID" },
  },
  signerMissing: {
    make: () => errors.signerMissing(),
    want: { code: Code.FailedPrecondition, message: "session was exported without signers", reason: "SIGNER_MISSING" },
  },
  reviewRequired: {
    make: () => errors.reviewRequired("ptx-1"),
    want: {
      code: Code.FailedPrecondition,
      message: "para requires the user to review this request",
      reason: "TRANSACTION_REVIEW_REQUIRED",
      metadata: { pendingTransactionId: "ptx-1" },
    },
  },
  signingRefused: {
    make: () => errors.signingRefused(30_000, cause),
    want: { code: Code.FailedPrecondition, message: "para refused the signing job for this wallet; retry later", reason: "SIGNING_REFUSED", retryMs: 30_000 },
  },
  secretKeyNotConfigured: {
    make: () => errors.secretKeyNotConfigured(),
    want: { code: Code.FailedPrecondition, message: "PARA_SECRET_API_KEY is not configured on this server", reason: "SECRET_KEY_NOT_CONFIGURED" },
  },
  secretKeyRefused: {
    make: () => errors.secretKeyRefused("wallet verify"),
    want: { code: Code.FailedPrecondition, message: "para wallet verify: the secret API key was refused", reason: "SECRET_KEY_NOT_CONFIGURED" },
  },
  jwtAudienceNotConfigured: {
    make: () => errors.jwtAudienceNotConfigured(),
    want: { code: Code.FailedPrecondition, message: "PARA_JWT_AUDIENCE is not configured on this server", reason: "JWT_AUDIENCE_NOT_CONFIGURED" },
  },
  idempotencyKeyReused: {
    make: () => errors.idempotencyKeyReused(),
    want: { code: Code.FailedPrecondition, message: "idempotency key was already used with a different request", reason: "IDEMPOTENCY_KEY_REUSED" },
  },
  policyDenied: {
    make: () => errors.policyDenied("rule-7", cause),
    want: { code: Code.PermissionDenied, message: "a para policy denied this signing request", reason: "POLICY_DENIED", metadata: { denied_by: "rule-7" } },
  },
  reviewDenied: {
    make: () => errors.reviewDenied("ptx-2"),
    want: {
      code: Code.PermissionDenied,
      message: "the user denied the transaction review",
      reason: "REVIEW_DENIED",
      metadata: { pendingTransactionId: "ptx-2" },
    },
  },
  walletNotFound: { make: () => errors.walletNotFound("wallet_id"), want: { code: Code.NotFound, message: "wallet_id not found in session" } },
  addressNotFound: { make: () => errors.addressNotFound(), want: { code: Code.NotFound, message: "no wallet with that address" } },
  pendingTransactionNotFound: {
    make: () => errors.pendingTransactionNotFound(),
    want: { code: Code.NotFound, message: "no such pending transaction for this user" },
  },
  paraRateLimited: {
    make: () => errors.paraRateLimited("sign", 1_000, cause),
    want: { code: Code.ResourceExhausted, message: "para sign: rate limited", reason: "PARA_RATE_LIMITED", retryMs: 1_000 },
  },
  paraBudgetExhausted: {
    make: () => errors.paraBudgetExhausted("rate", 250),
    want: { code: Code.ResourceExhausted, message: "this server's rate budget toward para is spent", reason: "PARA_BUDGET_EXHAUSTED", retryMs: 250 },
  },
  serverAtConcurrencyLimit: {
    make: () => errors.serverAtConcurrencyLimit(100),
    want: { code: Code.ResourceExhausted, message: "server is at its concurrency limit", reason: "CONCURRENCY_LIMIT", retryMs: 100 },
  },
  reviewWaitsExhausted: {
    make: () => errors.reviewWaitsExhausted(1_000),
    want: { code: Code.ResourceExhausted, message: "too many review waits for this user", reason: "REVIEW_WAITS_EXHAUSTED", retryMs: 1_000 },
  },
  requestTooLarge: {
    make: () => errors.requestTooLarge(),
    want: { code: Code.ResourceExhausted, message: "request message is larger than this method accepts", reason: "REQUEST_TOO_LARGE" },
  },
  bufferedBytesExhausted: {
    make: () => errors.bufferedBytesExhausted(100),
    want: { code: Code.ResourceExhausted, message: "server is holding too many request bytes", reason: "BUFFERED_BYTES_LIMIT", retryMs: 100 },
  },
  paraUnavailable: {
    make: () => errors.paraUnavailable("session import", "status 503", 2_000, cause),
    want: { code: Code.Unavailable, message: "para session import unavailable (status 503)", reason: "PARA_UNAVAILABLE", retryMs: 2_000 },
  },
  signingWorkerUnavailable: {
    make: () => errors.signingWorkerUnavailable(2_000, cause, "sign"),
    want: { code: Code.Unavailable, message: "para sign failed: signing worker unavailable", reason: "PARA_UNAVAILABLE", retryMs: 2_000 },
  },
  jwksUnavailable: {
    make: () => errors.jwksUnavailable(1_000, cause),
    want: { code: Code.Unavailable, message: "para jwks unavailable", reason: "PARA_UNAVAILABLE", retryMs: 1_000 },
  },
  serverShuttingDown: { make: () => errors.serverShuttingDown(), want: { code: Code.Unavailable, message: "server is shutting down" } },
  signingWorkerStopped: { make: () => errors.signingWorkerStopped(), want: { code: Code.Unavailable, message: "signing worker stopped" } },
  paraTimedOut: { make: () => errors.paraTimedOut("keep-alive"), want: { code: Code.DeadlineExceeded, message: "para keep-alive timed out" } },
  bodyReadTimedOut: {
    make: () => errors.bodyReadTimedOut(),
    want: { code: Code.DeadlineExceeded, message: "request body not received in time", reason: "BODY_READ_TIMEOUT" },
  },
  reviewStillPending: {
    make: () => errors.reviewStillPending("ptx-3"),
    want: {
      code: Code.DeadlineExceeded,
      message: "the transaction review is still pending",
      reason: "TRANSACTION_REVIEW_REQUIRED",
      metadata: { pendingTransactionId: "ptx-3" },
    },
  },
  callerDeadlinePassed: { make: () => errors.callerDeadlinePassed(), want: { code: Code.DeadlineExceeded, message: "the caller's deadline passed" } },
  callCancelled: { make: () => errors.callCancelled(), want: { code: Code.Canceled, message: "call aborted" } },
  internalError: { make: () => errors.internalError(undefined, cause), want: { code: Code.Internal, message: "internal error" } },
  unverifiedSignature: {
    make: () => errors.unverifiedSignature(cause),
    want: { code: Code.Internal, message: "para returned a signature that does not verify" },
  },
  paraFailed: { make: () => errors.paraFailed("sign", 418, cause), want: { code: Code.Internal, message: "para sign failed (status 418)" } },
  paraAnswerMalformed: {
    make: () => errors.paraAnswerMalformed("wallet verify"),
    want: { code: Code.Internal, message: "para wallet verify returned a malformed answer" },
  },
};

/** The building blocks constructors are made of, kept exported only until every caller names its situation. */
const BUILDING_BLOCKS = new Set(["withReason", "retryable", "unauthenticated"]);

function observed(error: ConnectError): Expected {
  const info = error.findDetails(ErrorInfoSchema);
  const retry = error.findDetails(RetryInfoSchema);
  const badRequest = error.findDetails(BadRequestSchema);
  expect(info.length).toBeLessThanOrEqual(1);
  if (info[0]) expect(info[0].domain).toBe(errors.ERROR_DOMAIN);
  return {
    code: error.code,
    message: error.rawMessage,
    ...(info[0] ? { reason: info[0].reason as errors.ErrorReason } : {}),
    ...(info[0] && Object.keys(info[0].metadata).length > 0 ? { metadata: { ...info[0].metadata } } : {}),
    ...(retry[0]?.retryDelay ? { retryMs: durationMs(retry[0].retryDelay) } : {}),
    ...(badRequest.length > 0
      ? { violations: badRequest.flatMap((b) => b.fieldViolations.map(({ field, description, reason }) => ({ field, description, reason }))) }
      : {}),
  };
}

describe("error constructors", () => {
  test.each(Object.entries(CONSTRUCTORS))("%s", (_name, { make, want }) => {
    expect(observed(make())).toEqual(want);
  });

  test("every constructor error-model exports is in the table above", () => {
    const exported = Object.entries(errors)
      .filter(([name, value]) => typeof value === "function" && !BUILDING_BLOCKS.has(name))
      .map(([name]) => name);
    expect(exported.sort()).toEqual(Object.keys(CONSTRUCTORS).sort());
  });

  test("every ErrorReason is made by a constructor", () => {
    const made = new Set(Object.values(CONSTRUCTORS).map(({ want }) => want.reason));
    expect(errors.ERROR_REASONS.filter((reason) => !made.has(reason))).toEqual([]);
  });

  test("a cause is kept out of the message", () => {
    for (const { make } of Object.values(CONSTRUCTORS)) expect(make().rawMessage).not.toContain("para's own words");
  });

  test("walletNotFound names how the wallet was looked for", () => {
    expect(errors.walletNotFound("wallet_type").rawMessage).toBe("no wallet of that type in session");
    expect(errors.walletNotFound("para", cause).rawMessage).toBe("wallet not found in session");
  });

  test("SESSION_INACTIVE, JWT_INVALID, POLICY_DENIED, PARA_UNAVAILABLE variants", () => {
    expect(errors.jwtInvalid().rawMessage).toBe("jwt invalid");
    expect(errors.policyDenied(undefined).findDetails(ErrorInfoSchema)[0]?.metadata).toEqual({});
    expect(errors.signingWorkerUnavailable(500).rawMessage).toBe("signing worker unavailable");
    expect(errors.paraBudgetExhausted("concurrency", 50).rawMessage).toBe("this server's limit of calls to para at once is reached");
    expect(errors.paraFailed("sign").rawMessage).toBe("para sign failed");
    expect(errors.paraAnswerMalformed("sign", "returned no signature").rawMessage).toBe("para sign returned no signature");
    // A hold that has just ended still says "later", never "now".
    expect(observed(errors.signingRefused(0)).retryMs).toBe(1);
  });
});

/**
 * (reason, code) pairs the error tables of docs/design.md §4 and README.md "### Errors" name: each row's code (the
 * first gRPC code name in its code column) with every reason the row names.
 */
function documentedPairs(): Array<{ reason: string; code: string; doc: string }> {
  const tables = [
    { doc: "docs/design.md §4", text: section(readFileSync("docs/design.md", "utf8"), "## 4.", "\n## ") },
    { doc: "README.md Errors", text: section(readFileSync("README.md", "utf8"), "### Errors", "\n## ") },
  ];
  const pairs: Array<{ reason: string; code: string; doc: string }> = [];
  for (const { doc, text } of tables) {
    for (const line of text.split("\n").filter((l) => l.startsWith("|") && !l.startsWith("|---"))) {
      const cells = line.split("|").slice(1, -1);
      const code =
        /\b(OK|CANCELLED|UNKNOWN|INVALID_ARGUMENT|DEADLINE_EXCEEDED|NOT_FOUND|ALREADY_EXISTS|PERMISSION_DENIED|RESOURCE_EXHAUSTED|FAILED_PRECONDITION|ABORTED|OUT_OF_RANGE|UNIMPLEMENTED|INTERNAL|UNAVAILABLE|DATA_LOSS|UNAUTHENTICATED)\b/.exec(
          cells[1] ?? "",
        )?.[1];
      if (!code) continue;
      for (const [, reason] of line.matchAll(/`([A-Z][A-Z_]+)`/g)) {
        if ((errors.ERROR_REASONS as readonly string[]).includes(reason as string)) pairs.push({ reason: reason as string, code, doc });
      }
    }
  }
  return pairs;
}

function section(text: string, heading: string, next: string): string {
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`no "${heading}" section`);
  const end = text.indexOf(next, start + heading.length);
  return text.slice(start, end < 0 ? undefined : end);
}

/** Code.InvalidArgument → "INVALID_ARGUMENT" (gRPC spells Canceled with two Ls). */
function grpcName(code: Code): string {
  return code === Code.Canceled ? "CANCELLED" : Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

describe("the documented error model", () => {
  const pairs = documentedPairs();

  test("the tables are read (the reasons every table names are found)", () => {
    const found = new Set(pairs.map((p) => `${p.reason} ${p.code}`));
    for (const pair of [
      "SIGNER_MISSING FAILED_PRECONDITION",
      "TRANSACTION_REVIEW_REQUIRED FAILED_PRECONDITION",
      "SESSION_MISMATCH UNAUTHENTICATED",
      "POLICY_DENIED PERMISSION_DENIED",
    ]) {
      expect(found).toContain(pair);
    }
  });

  test.each(pairs)("$doc: $reason is $code", ({ reason, code }) => {
    const makers = Object.entries(CONSTRUCTORS)
      .filter(([, { want }]) => want.reason === reason)
      .map(([name, { make }]) => ({ name, code: grpcName(make().code) }));
    expect(makers.map((m) => m.code)).toContain(code);
  });
});
