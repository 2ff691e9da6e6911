/**
 * Each call's trace context is handed down explicitly (src/telemetry/call-trace.ts, src/para/call-scope.ts): the
 * main thread's context manager carries nothing across an await (sync-context-manager.ts). Run against the real
 * service and the local Para backend, with the SDK in a thread and on the main thread.
 *
 * Honest users: every step and Para round trip of a call lands under that call's span, as it did with
 * AsyncLocalStorage. Adversaries: callers running at once, each under its own trace (as another tenant's upstream
 * would), whose spans must never land in another call's trace; background work (the pre-built instances'
 * constructions) that belongs to no call and must not start traces of its own.
 */
import { SpanKind } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { MessageFormat } from "../../gen/para/signer/v1/signer_service_pb.js";
import { installTestTelemetry } from "../support/otel.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

const telemetry = installTestTelemetry();
const S = "para.signer.v1.SignerService";

/** The names below `span`, as "parent > child" paths. */
function paths(span: ReadableSpan, all: ReadableSpan[], prefix = ""): string[] {
  const children = all.filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId);
  return children.flatMap((c) => [`${prefix}${c.name}`, ...paths(c, all, `${prefix}${c.name} > `)]).sort();
}

const traceparent = (i: number) => `00-${(i + 1).toString(16).padStart(32, "0")}-${(i + 1).toString(16).padStart(16, "0")}-01`;

describe.each([
  { mode: "the SDK in a thread", threads: "1" },
  { mode: "the SDK on the main thread", threads: "0" },
])("call contexts, $mode", ({ threads }) => {
  let h: SignerHarness;
  beforeAll(async () => {
    // Para's answers to construction requests are not kept here, so every pre-built instance's construction sends
    // its round trips, which must stay out of traces.
    h = await startSignerHarness({ env: { SIGNER_SDK_THREADS: threads, SIGNER_PARA_ANONYMOUS_ANSWER_MS: "0" } });
  });
  beforeEach(() => telemetry.reset());
  afterAll(() => h.stop());

  test("every step and round trip of a call sits under the step it ran in", async () => {
    const minted = await h.mint();
    await h.grpc.signMessage({ session: minted.session, message: new Uint8Array(10), format: MessageFormat.EIP191 });
    const jwt = await h.grpc.issueJwt({ session: minted.session });
    await h.grpc.verifySession({ credential: { case: "jwt", value: jwt.token } });
    const all = telemetry.spans();
    const server = (method: string) => all.find((s) => s.name === `${S}/${method}` && s.kind === SpanKind.SERVER)!;
    // The import step may carry the construction round trips of the instance it got (one still settling, or built
    // for this call); nothing else.
    const signing = paths(server("SignMessage"), all);
    const construction = signing.filter((p) => p.startsWith("para.session.import > "));
    for (const p of construction) expect(p).toMatch(/^para\.session\.import > para (touch|partner|logout)$/);
    // A fresh user: Para's word on its wallets and auth is not kept yet, so the confirmation asks for both.
    expect(signing.filter((p) => !construction.includes(p))).toEqual(
      [
        "para keep_alive",
        "para touch",
        "para.session.confirm",
        "para.session.confirm > para sessions_verify",
        "para.session.confirm > para wallets",
        "para.session.import",
        "para.sign",
      ].sort(),
    );
    expect(paths(server("IssueJwt"), all)).toContain("para jwt");
    // VerifySession by JWT: no Para round trip once IssueJwt's verification has fetched the keys.
    expect(paths(server("VerifySession"), all)).toEqual([]);
  });

  test("calls at once, each under its caller's trace: every span in its own call's trace, none a root of its own", async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => h.mint()));
    await Promise.all(
      users.flatMap((u, i) => [
        h.grpc.signMessage({ session: u.session, message: new Uint8Array(32) }, { headers: { traceparent: traceparent(2 * i) } }),
        h.grpc.checkSession({ session: u.session, extend: true, returnSession: true }, { headers: { traceparent: traceparent(2 * i + 1) } }),
      ]),
    );
    // Let the pool's refills after these calls finish: their round trips must not show up as traces either.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const all = telemetry.spans();
    const servers = all.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers).toHaveLength(12);
    // Each call joined the trace its caller sent, under the caller's span.
    const sent = new Map(Array.from({ length: 12 }, (_, i) => [traceparent(i).split("-")[1], traceparent(i).split("-")[2]]));
    for (const server of servers) {
      expect(sent.get(server.spanContext().traceId), server.name).toBe(server.parentSpanContext?.spanId);
    }
    expect(new Set(servers.map((s) => s.spanContext().traceId)).size).toBe(12);
    // Every other span hangs, through parents that exist, from a call's span: no span is a root of its own.
    const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
    for (const span of all) {
      let up: ReadableSpan | undefined = span;
      while (up && up.kind !== SpanKind.SERVER) up = up.parentSpanContext ? byId.get(up.parentSpanContext.spanId) : undefined;
      expect(up, `${span.name} has no call above it`).toBeDefined();
    }
    // Each call's own steps, once each: nothing of another call landed in it.
    const direct = (server: ReadableSpan) =>
      all
        .filter((s) => s.parentSpanContext?.spanId === server.spanContext().spanId)
        .map((s) => s.name)
        .sort();
    for (const server of servers) {
      const expected = server.name.endsWith("/SignMessage")
        ? ["para keep_alive", "para touch", "para.session.confirm", "para.session.import", "para.sign"]
        : ["para keep_alive", "para touch", "para.session.confirm", "para.session.import"];
      expect(direct(server), server.name).toEqual(expected);
    }
  });
});
