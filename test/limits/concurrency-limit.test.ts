import { durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type UnaryResponse } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { createConcurrencyLimitInterceptor } from "../../src/limits/concurrency-limit.js";

/** The concurrency limit on fake calls: handlers the test holds open and releases, no transport. */

const SIGNER = "para.signer.v1.SignerService";
const HEALTH = "grpc.health.v1.Health";

function request(typeName: string) {
  return { service: { typeName }, method: { name: "M" } } as never;
}

/** A handler that stays in progress until `release` (or `fail`) is called. */
function heldHandler() {
  const pending: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  const next = () =>
    new Promise<UnaryResponse>((resolve, reject) => {
      pending.push({ resolve: () => resolve({ stream: false } as UnaryResponse), reject });
    });
  return {
    next,
    release: () => pending.shift()?.resolve(),
    fail: (error: unknown) => pending.shift()?.reject(error),
  };
}

async function refusalOf(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ConnectError)) throw new Error("expected the call to be refused");
  const retry = error.findDetails(RetryInfoSchema)[0]?.retryDelay;
  return { code: error.code, message: error.rawMessage, reason: error.findDetails(ErrorInfoSchema)[0]?.reason, retryMs: retry ? durationMs(retry) : undefined };
}

/** Lets the interceptor's awaits run. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("the concurrency limit interceptor", () => {
  test("refuses the call over the limit at once with RESOURCE_EXHAUSTED, CONCURRENCY_LIMIT and RetryInfo; the handler never runs", async () => {
    const held = heldHandler();
    let ran = 0;
    const call = createConcurrencyLimitInterceptor(
      2,
      [],
    )(() => {
      ran++;
      return held.next();
    });
    const first = call(request(SIGNER));
    const second = call(request(SIGNER));
    expect(await refusalOf(call(request(SIGNER)))).toEqual({
      code: Code.ResourceExhausted,
      message: "server is at its concurrency limit",
      reason: "CONCURRENCY_LIMIT",
      retryMs: 100,
    });
    expect(ran).toBe(2);
    held.release();
    await first;
    // A slot is free again.
    const third = call(request(SIGNER));
    expect(ran).toBe(3);
    held.release();
    held.release();
    await Promise.all([second, third]);
  });

  test("exempt services are never refused and take no slot", async () => {
    const held = heldHandler();
    const call = createConcurrencyLimitInterceptor(1, [HEALTH])(held.next);
    const signer = call(request(SIGNER));
    const probes = [call(request(HEALTH)), call(request(HEALTH)), call(request(HEALTH))];
    await tick();
    expect((await refusalOf(call(request(SIGNER)))).reason).toBe("CONCURRENCY_LIMIT");
    for (let i = 0; i < 4; i++) held.release();
    await Promise.all([signer, ...probes]);
  });

  test("a call whose handler fails is counted out", async () => {
    const held = heldHandler();
    const call = createConcurrencyLimitInterceptor(1, [])(held.next);
    const failing = call(request(SIGNER));
    held.fail(new ConnectError("para sign failed", Code.Internal));
    await expect(failing).rejects.toMatchObject({ code: Code.Internal });
    // The one slot is free: the next call runs, and the one after it is refused while it is in progress.
    const next = call(request(SIGNER));
    expect((await refusalOf(call(request(SIGNER)))).code).toBe(Code.ResourceExhausted);
    held.release();
    await next;
  });

  test("a refused call takes no slot: after the refusal the held call leaving frees the only one", async () => {
    const held = heldHandler();
    const call = createConcurrencyLimitInterceptor(1, [])(held.next);
    const first = call(request(SIGNER));
    await refusalOf(call(request(SIGNER)));
    await refusalOf(call(request(SIGNER)));
    held.release();
    await first;
    const again = call(request(SIGNER));
    held.release();
    await expect(again).resolves.toMatchObject({ stream: false });
  });
});
