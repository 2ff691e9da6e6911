// Many concurrent streams on ONE HTTP/2 connection, past the 256 the server advertises: every stream ends with a
// proper gRPC status (OK, or RESOURCE_EXHAUSTED from the concurrency limit), each OK answer is its own caller's
// user, nothing hangs, and the server still serves afterwards.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CheckSessionRequestSchema, CheckSessionResponseSchema } from "../../gen/para/signer/v1/signer_service_pb.js";
import type { MintedSession } from "../../src/local-para/types.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";
import { connectRaw, grpcFrame, type RawResult, rawCall } from "./raw-grpc.js";
import { expectStillServing } from "./server-checks.js";

const STREAMS = 600;
const USERS = 20;

describe("concurrent streams on one HTTP/2 connection", () => {
  let h: SignerHarness;
  let users: MintedSession[];
  beforeAll(async () => {
    h = await startSignerHarness();
    users = await Promise.all(Array.from({ length: USERS }, () => h.mint()));
  });
  afterAll(() => h.stop());

  /** Fires `STREAMS` CheckSession calls at once on `raw`; returns each result with the user it was for. */
  async function burst(port: number, limitNote: string) {
    const raw = await connectRaw(port);
    try {
      expect(raw.remoteSettings.maxConcurrentStreams, limitNote).toBe(256);
      const calls = Array.from({ length: STREAMS }, (_, i) => {
        const user = users[i % USERS]!;
        const body = grpcFrame(toBinary(CheckSessionRequestSchema, create(CheckSessionRequestSchema, { session: user.session })));
        return rawCall(raw, "CheckSession", body, {}, 25_000).then((result) => ({ user, result }));
      });
      return await Promise.all(calls);
    } finally {
      raw.close();
    }
  }

  const statusOf = (r: RawResult) =>
    r.streamError ? `stream error: ${r.streamError}` : r.grpcStatus === 0 ? "OK" : (Code[r.grpcStatus ?? -1] ?? `status ${r.grpcStatus}`);

  test(`${STREAMS} concurrent CheckSession streams: each ends OK (its own user) or RESOURCE_EXHAUSTED`, async () => {
    const results = await burst(h.port, "the server's advertised stream limit");
    const tally: Record<string, number> = {};
    for (const { result } of results) tally[statusOf(result)] = (tally[statusOf(result)] ?? 0) + 1;
    expect(
      Object.keys(tally).filter((k) => k !== "OK" && k !== "ResourceExhausted"),
      JSON.stringify(tally),
    ).toEqual([]);
    for (const { user, result } of results) {
      if (result.grpcStatus !== 0) continue; // 0 is gRPC's OK
      const res = fromBinary(CheckSessionResponseSchema, result.messages[0]!);
      expect(res.userId).toBe(user.userId);
      expect(res.wallets.map((w) => w.id).sort()).toEqual(user.wallets.map((w) => w.id).sort());
    }
    // With 256 streams at a time and a limit of 512 calls, no call should have been refused at all.
    expect(tally["OK"]).toBe(STREAMS);
    await expectStillServing(h);
  });
});
