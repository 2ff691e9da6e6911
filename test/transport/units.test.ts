// The transport's pure parts: the per-RPC limit formula, the envelope tracker, the buffered-bytes budget.
import { describe, expect, test } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { envToConfig } from "../../src/config/config.js";
import { BodyBudget, SMALL_BODY_BYTES } from "../../src/transport/body-budget.js";
import { EnvelopeTracker } from "../../src/transport/envelope-tracker.js";
import { largestRequestBytes, routeLimits } from "../../src/transport/request-limits.js";

describe("per-RPC request limits", () => {
  const methods = [...SignerService.methods, ...Health.methods];

  test("SignerService: session + message + 4 KiB; health: 1 KiB; never above the wire limit", () => {
    const table = routeLimits(methods, envToConfig({}).limits);
    expect(table.get("/para.signer.v1.SignerService/SignMessage")?.maxMessageBytes).toBe(64 * 1024 + 64 * 1024 + 4096);
    expect(table.get("/grpc.health.v1.Health/Check")?.maxMessageBytes).toBe(1024);
    expect(table.get("/grpc.health.v1.Health/Check")?.unary).toBe(true);
    expect(table.get("/grpc.health.v1.Health/Watch")).toMatchObject({ unary: false, singleRequest: true });
    const small = envToConfig({ SIGNER_MAX_SESSION_BYTES: "1000000", SIGNER_MAX_MESSAGE_BYTES: "1000000", SIGNER_MAX_WIRE_BYTES: "65536" }).limits;
    expect(routeLimits(methods, small).get("/para.signer.v1.SignerService/CheckSession")?.maxMessageBytes).toBe(65536);
    expect(largestRequestBytes(small)).toBe(65536);
  });
});

describe("envelope tracker", () => {
  const frame = (declared: number, payload = 0) => {
    const b = Buffer.alloc(5 + payload);
    b.writeUInt32BE(declared, 1);
    return b;
  };

  test("refuses by the declared length as soon as the prefix is complete, even a byte at a time", () => {
    const t = new EnvelopeTracker(100);
    const f = frame(101);
    for (let i = 0; i < 4; i++) expect(t.feed(f.subarray(i, i + 1))).toBe(true);
    expect(t.feed(f.subarray(4, 5))).toBe(false);
  });

  test("counts the bytes of the message still arriving, back to 0 at each boundary", () => {
    const t = new EnvelopeTracker(100);
    expect(t.feed(frame(10, 4))).toBe(true);
    expect(t.partialBytes).toBe(9);
    expect(t.feed(Buffer.alloc(6))).toBe(true);
    expect(t.partialBytes).toBe(0);
    expect(t.feed(Buffer.concat([frame(0), frame(3, 3), frame(50, 1)]))).toBe(true);
    expect(t.partialBytes).toBe(6);
    expect(t.feed(Buffer.concat([Buffer.alloc(49), frame(200).subarray(0, 5)]))).toBe(false);
  });
});

describe("buffered-bytes budget", () => {
  const MiB = 1024 * 1024;

  test("refuses a charge over the cap; small streams may use the reserve; the total never passes cap + reserve", () => {
    const b = new BodyBudget(64 * 1024);
    const conn = {};
    expect(b.tryCharge(60 * 1024, 60 * 1024, conn)).toBe(true);
    expect(b.tryCharge(20 * 1024, 20 * 1024, {})).toBe(false);
    expect(b.bufferedBytes).toBe(60 * 1024);
    expect(b.tryCharge(SMALL_BODY_BYTES, SMALL_BODY_BYTES, {})).toBe(true);
    let small = 0;
    while (b.tryCharge(1000, 1000, {})) small++;
    expect(small).toBeGreaterThan(0);
    expect(b.peakBufferedBytes).toBeLessThanOrEqual(b.capBytes + b.reserveBytes);
    b.release(b.bufferedBytes, conn);
    expect(b.bufferedBytes).toBe(0);
  });

  test("one connection holds at most its share (an eighth of a large cap)", () => {
    const b = new BodyBudget(64 * MiB);
    expect(b.connectionShareBytes).toBe(8 * MiB);
    const conn = {};
    let held = 0;
    while (b.tryCharge(100 * 1024, 100 * 1024, conn)) held += 100 * 1024;
    expect(held).toBeLessThanOrEqual(8 * MiB);
    expect(b.tryCharge(100 * 1024, 100 * 1024, {})).toBe(true); // another connection still may
    b.release(100 * 1024, conn);
    expect(b.tryCharge(100 * 1024, 100 * 1024, conn)).toBe(true);
  });
});
