import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ReviewWaits } from "../../src/para/review-waits.js";

describe("ReviewWaits (AwaitReview calls per user)", () => {
  test("a user past the cap is refused with RESOURCE_EXHAUSTED; other users are not; leaving frees a place", () => {
    const waits = new ReviewWaits(2);
    const leaveA1 = waits.enter("a");
    waits.enter("a");
    let refused: unknown;
    try {
      waits.enter("a");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).code).toBe(Code.ResourceExhausted);
    expect((refused as ConnectError).findDetails(ErrorInfoSchema)[0]?.reason).toBe("REVIEW_WAITS_EXHAUSTED");
    expect(() => waits.enter("b")).not.toThrow();
    leaveA1();
    leaveA1(); // twice counts once
    expect(() => waits.enter("a")).not.toThrow();
    expect(() => waits.enter("a")).toThrow();
  });

  test("users with no wait are forgotten", () => {
    const waits = new ReviewWaits(1);
    const leave = waits.enter("a");
    expect(waits.users).toBe(1);
    leave();
    expect(waits.users).toBe(0);
  });
});
