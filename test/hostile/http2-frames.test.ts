// The HTTP/2 and gRPC framing layer, below any handler: bodies over the wire limit, a header block over the
// server's limit, and malformed gRPC frames (lying length prefixes, a compressed flag with no encoding, bytes that
// are not protobuf) each end with a clean gRPC status, and the server keeps serving on new and old connections.
import * as http2 from "node:http2";
import fc from "fast-check";
import { toBinary, create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CheckSessionRequestSchema } from "../../gen/para/signer/v1/signer_service_pb.js";
import type { MintedSession } from "../../src/local-para/types.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";
import { expectNoEcho } from "./decode-oracle.js";
import { connectRaw, grpcFrame, type RawResult, rawCall } from "./raw-grpc.js";
import { canary, expectLogsFree, expectOneOf, expectStillServing, outcomeOf } from "./server-checks.js";

const MiB = 1024 * 1024;
const WIRE_LIMIT = 4 * MiB; // SIGNER_MAX_WIRE_BYTES default

/** gRPC's OK, which Connect's Code enum leaves out. */
const OK = 0;
const statusName = (n: number | undefined) => (n === OK ? "OK" : n === undefined ? "none" : (Code[n] ?? String(n)));

/** A clean end: a gRPC status among `allowed`, with a message that echoes nothing sent. */
function expectStatus(r: RawResult, allowed: number[], sent: string[], note: string): void {
  expect(r.streamError, `${note}: stream error`).toBeUndefined();
  expect(allowed.map(statusName), `${note}: grpc-status ${statusName(r.grpcStatus)} (${r.grpcMessage})`).toContain(statusName(r.grpcStatus));
  expectNoEcho([r.grpcMessage], sent);
}

describe("HTTP/2 and gRPC framing", () => {
  let h: SignerHarness;
  let user: MintedSession;
  const sent: string[] = [];
  const checkBody = (session: string) => grpcFrame(toBinary(CheckSessionRequestSchema, create(CheckSessionRequestSchema, { session })));
  beforeAll(async () => {
    // A short grace: the over-limit requests below leave streams the server never closes, so a graceful stop
    // would otherwise wait the whole default 20 s for them (KNOWN BUG 2, http2-oversize-drain.test.ts).
    h = await startSignerHarness({ env: { SIGNER_SHUTDOWN_GRACE_MS: "1000" } });
    user = await h.mint();
  });
  afterAll(() => h.stop());

  test("a request over the wire limit is RESOURCE_EXHAUSTED, through Connect's client and as a raw frame", async () => {
    const big = canary("WIRE").padEnd(WIRE_LIMIT + 1, "w");
    sent.push(big);
    expectOneOf(await outcomeOf(h.grpc.checkSession({ session: big }), [big]), [Code.ResourceExhausted], "Connect client");
    expectOneOf(await outcomeOf(h.grpc.signMessage({ session: user.session, message: new Uint8Array(5 * MiB) }), []), [Code.ResourceExhausted], "message");
    const raw = await connectRaw(h.port);
    try {
      // Refused on the prefix alone: the server need not read (or buffer) a body it will not accept.
      expectStatus(await rawCall(raw, "CheckSession", grpcFrame(Buffer.alloc(8), { declared: 64 * MiB })), [Code.ResourceExhausted], [], "declared 64 MiB");
      expectStatus(await rawCall(raw, "CheckSession", checkBody(big)), [Code.ResourceExhausted], [big], "raw 4 MiB + 1");
      expectStatus(await rawCall(raw, "CheckSession", checkBody(user.session)), [OK], [], "same connection, afterwards");
    } finally {
      raw.close();
    }
  });

  test("header blocks over the server's 16 KiB limit fail the call cleanly; the server keeps serving", async () => {
    // 64 KiB: Node's HTTP/2 client refuses to send a block that large at all (REFUSED_STREAM, which Connect's
    // client reports as INTERNAL), so this shows the client side fails cleanly and the server is unaffected.
    const huge = canary("HDR").padEnd(64 * 1024, "h");
    // 32 KiB: sent, and refused by the server itself on a connection that knows the limit.
    const big = canary("HDR").padEnd(32 * 1024, "h");
    sent.push(huge, big);
    const outcome = await outcomeOf(h.grpc.checkSession({ session: user.session }, { headers: { "x-hostile": huge }, timeoutMs: 10_000 }), [huge]);
    expect(outcome, "the oversized header block must not be accepted").not.toBe("ok");
    const raw = await connectRaw(h.port);
    try {
      const r = await rawCall(raw, "CheckSession", checkBody(user.session), { "x-hostile": big }, 10_000);
      expect(r.grpcStatus === OK, JSON.stringify({ ...r, messages: r.messages.length })).toBe(false);
      // Only that stream was refused: the connection, and the next call on it, are fine.
      expectStatus(await rawCall(raw, "CheckSession", checkBody(user.session)), [OK], [], "same connection, afterwards");
    } finally {
      raw.close();
    }
    await expectStillServing(h);
  });

  // node:http2 enforces the server's SETTINGS_MAX_HEADER_LIST_SIZE only once the client has acknowledged those
  // SETTINGS; a client sending its first request in its first flight (as gRPC clients do) used to get a 40 KiB header
  // block past the 16 KiB limit. The server now checks every request's header list itself.
  test("a header block over the limit in the client's first flight is refused too", async () => {
    const early = http2.connect(`http://127.0.0.1:${h.port}`); // no wait for the server's SETTINGS
    early.on("error", () => undefined);
    try {
      const r = await rawCall(early, "CheckSession", checkBody(user.session), { "x-hostile": "h".repeat(40 * 1024) }, 10_000);
      expect(r.grpcStatus, "served despite the header limit").not.toBe(OK);
    } finally {
      early.destroy();
    }
  });

  test("malformed frames: each stream ends with a clean gRPC status, the connection keeps working", async () => {
    const valid = toBinary(CheckSessionRequestSchema, create(CheckSessionRequestSchema, { session: user.session }));
    const bad = (s: number[]) => Buffer.from(s);
    const cases: Array<{ note: string; body: Buffer; headers?: Record<string, string>; want: number[] }> = [
      { note: "prefix promises more than is sent", body: grpcFrame(valid, { declared: valid.length + 100 }), want: [Code.InvalidArgument] },
      // The rest is read as a second frame whose "prefix" is session bytes: a huge length, or garbage.
      {
        note: "prefix promises less than is sent",
        body: grpcFrame(valid, { declared: 3 }),
        want: [Code.InvalidArgument, Code.Internal, Code.ResourceExhausted],
      },
      { note: "truncated prefix", body: bad([0, 0, 0]), want: [Code.InvalidArgument] },
      // Connect answers a unary call with no, or a second, request message as UNIMPLEMENTED (as grpc-go does).
      { note: "no message at all", body: Buffer.alloc(0), want: [Code.InvalidArgument, Code.Unimplemented] },
      { note: "two messages for a unary call", body: Buffer.concat([grpcFrame(valid), grpcFrame(valid)]), want: [Code.InvalidArgument, Code.Unimplemented] },
      { note: "compressed flag, no grpc-encoding", body: grpcFrame(valid, { compressed: true }), want: [Code.Internal, Code.InvalidArgument] },
      {
        note: "gzip flag on bytes that are not gzip",
        body: grpcFrame(valid, { compressed: true }),
        headers: { "grpc-encoding": "gzip" },
        want: [Code.Internal, Code.InvalidArgument],
      },
      {
        note: "unknown grpc-encoding",
        body: grpcFrame(valid),
        headers: { "grpc-encoding": "hostile-zip" },
        want: [Code.Unimplemented, Code.Internal, Code.InvalidArgument],
      },
      { note: "flags byte 0x80 (a gRPC-web trailer frame)", body: bad([0x80, 0, 0, 0, 0]), want: [Code.InvalidArgument, Code.Internal] },
      { note: "garbage protobuf (bad wire type)", body: grpcFrame(bad([0xff, 0xff, 0xff, 0xff, 0x0f])), want: [Code.Internal, Code.InvalidArgument] },
      { note: "string field with invalid UTF-8", body: grpcFrame(bad([0x0a, 0x04, 0xff, 0xfe, 0xc0, 0x80])), want: [Code.InvalidArgument, Code.Internal] },
      {
        note: "length-delimited field running past the end",
        body: grpcFrame(bad([0x0a, 0xff, 0xff, 0x03, 0x41])),
        want: [Code.Internal, Code.InvalidArgument],
      },
      { note: "grpc-timeout that is not a timeout", body: grpcFrame(valid), headers: { "grpc-timeout": "soon" }, want: [Code.InvalidArgument] },
      // Clamped to SIGNER_MAX_TIMEOUT_MS and served (transport/deadline-clamp.ts), as gRPC servers do.
      { note: "grpc-timeout over the server's cap", body: grpcFrame(valid), headers: { "grpc-timeout": "99999999H" }, want: [OK] },
    ];
    const raw = await connectRaw(h.port);
    try {
      for (const c of cases) expectStatus(await rawCall(raw, "CheckSession", c.body, c.headers), c.want, [user.session], c.note);
      const unknown = await rawCall(raw, "NoSuchMethod", grpcFrame(valid));
      expect(unknown.grpcStatus ?? unknown.httpStatus).toBeOneOf([Code.Unimplemented, 404]);
      expectStatus(await rawCall(raw, "CheckSession", grpcFrame(valid)), [OK], [], "same connection, afterwards");
    } finally {
      raw.close();
    }
  });

  test("random bytes as the request message: INVALID_ARGUMENT or Connect's INTERNAL parse error, echoing nothing", async () => {
    const raw = await connectRaw(h.port);
    try {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (bytes) => {
          const r = await rawCall(raw, "SignMessage", grpcFrame(bytes));
          expectStatus(r, [Code.InvalidArgument, Code.Internal], [Buffer.from(bytes).toString("latin1")], "random bytes");
          if (r.grpcStatus === Code.Internal) expect(r.grpcMessage).toMatch(/^parse binary: /);
        }),
        { numRuns: 60 },
      );
    } finally {
      raw.close();
    }
  });

  test("afterwards: still serving, nothing sent is in the logs", async () => {
    await expectStillServing(h);
    expectLogsFree(h, [...sent, user.session]);
  });
});
