import { describe, expect, test } from "vitest";
import { inOrder } from "../../../src/signer/in-order.js";

describe("inOrder (a batch's items, a few at a time)", () => {
  test("answers in the inputs' order whatever order the work finishes in, never more than the bound at once", async () => {
    let running = 0;
    let peak = 0;
    const results = await inOrder([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      for (let i = 0; i < n; i++) await Promise.resolve();
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  test("the first failure stops new work and is thrown; work already running finishes", async () => {
    const started: number[] = [];
    const failing = inOrder([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await Promise.resolve();
      if (n === 1) throw new Error("para is down");
      return n;
    });
    await expect(failing).rejects.toThrow("para is down");
    expect(started).toEqual([0, 1, 2]);
  });

  test("fewer inputs than the bound, and none", async () => {
    expect(await inOrder([7], 8, async (n) => n)).toEqual([7]);
    expect(await inOrder([], 8, async (n: number) => n)).toEqual([]);
  });
});

describe("failsTheCall (a batch item's failure, or the whole call's)", () => {
  test("Para, the server, the deadline and a session Para refuses fail the call; an item's own refusal does not", async () => {
    const { Code, ConnectError } = await import("@connectrpc/connect");
    const { failsTheCall } = await import("../../../src/signer/rpc-status.js");
    for (const code of [Code.Unavailable, Code.ResourceExhausted, Code.DeadlineExceeded, Code.Canceled, Code.Internal, Code.Unauthenticated]) {
      expect(failsTheCall(new ConnectError("x", code))).toBe(true);
    }
    for (const code of [Code.InvalidArgument, Code.NotFound, Code.FailedPrecondition, Code.PermissionDenied]) {
      expect(failsTheCall(new ConnectError("x", code))).toBe(false);
    }
    expect(failsTheCall(new Error("a bug"))).toBe(true);
  });
});
