// Regression: the server answers an over-limit request (RESOURCE_EXHAUSTED) without reading the rest of the body.
// It used to leave that request stream open (Connect's own Node client does not cancel it either), so every graceful
// stop after such a request took the full SIGNER_SHUTDOWN_GRACE_MS. It now closes the stream with RST_STREAM
// NO_ERROR after the response (RFC 9113 §8.1).
import { Code } from "@connectrpc/connect";
import { expect, test } from "vitest";
import { failure } from "../support/failure.js";
import { startSignerHarness } from "../support/signer-harness.js";

// Long, so the check below does not depend on this machine's speed: waiting out the grace takes a minute.
const GRACE_MS = 60_000;

test("a graceful stop after an over-limit request does not wait out the shutdown grace", { timeout: 120_000 }, async () => {
  const h = await startSignerHarness({ env: { SIGNER_SHUTDOWN_GRACE_MS: String(GRACE_MS) } });
  let stopMs: number;
  try {
    const error = await failure(h.grpc.checkSession({ session: "x".repeat(5 * 1024 * 1024) }));
    expect(error.code).toBe(Code.ResourceExhausted);
  } finally {
    const started = Date.now();
    await h.stop();
    stopMs = Date.now() - started;
  }
  // No call is in flight: the stop should be immediate (the drain delay is 0 in the harness).
  expect(stopMs).toBeLessThan(GRACE_MS / 2);
});
