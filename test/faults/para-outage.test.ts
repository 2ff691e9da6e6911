import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, test } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import type { FaultEndpoint } from "../../src/local-para/types.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { waitForHealth } from "../support/service-process.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

/** Every API endpoint this service's key reaches, so "down" means down for it (other test files share the backend). */
const SIGNER = "para.signer.v1.SignerService";

const API: FaultEndpoint[] = ["touch", "partner", "logout", "keepAlive", "jwt", "messagesSign", "sessionsVerify", "walletsVerify", "errorsSdk"];

async function paraDown(apiKey: string, how: { drop?: boolean; status?: number }) {
  for (const endpoint of API) await localPara.addFault({ endpoint, apiKey, ...how });
}

function signerHealth(h: SignerHarness) {
  const client = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${h.port}`, idleConnectionTimeoutMs: 50 }));
  return async (service = "para.signer.v1.SignerService") => (await client.check({ service })).status;
}

describe("Para outages: the right codes meanwhile, health tells the truth, recovery on its own", () => {
  test.each([
    { note: "connections dropped", how: { drop: true } },
    { note: "every answer a 503", how: { status: 503 } },
  ])(
    "Para down mid-run ($note)",
    async ({ how }) => {
      const h = await startSignerHarness({ env: { SIGNER_PARA_CALL_TIMEOUT_MS: "2000" } });
      try {
        const health = signerHealth(h);
        const minted = await h.mint();
        expect((await h.grpc.checkSession({ session: minted.session })).active).toBe(true);
        expect(await health()).toBe(S.SERVING);

        await paraDown(h.key.apiKey, how);
        for (let i = 0; i < 4; i++) {
          const error = await failure(h.grpc.checkSession({ session: minted.session }));
          expect(error.code).toBe(Code.Unavailable);
        }
        expect((await failure(h.grpc.verifyWallet({ address: minted.wallets[0]!.address }))).code).toBe(Code.Unavailable);
        // The signer reports Para's state; readiness ("") keeps this replica in rotation.
        expect(await health()).toBe(S.NOT_SERVING);
        expect(await health("")).toBe(S.SERVING);

        await localPara.clearFaults(h.key.apiKey);
        // No call needed: the pool's background constructions notice Para is back.
        expect(await waitForHealth(h.port, S.SERVING, SIGNER, 400)).toBe(S.SERVING);
        expect((await h.grpc.checkSession({ session: minted.session })).active).toBe(true);
      } finally {
        await h.stop();
      }
    },
    40_000,
  );

  test("Para down at start-up: the service starts, answers UNAVAILABLE, then recovers by itself", async () => {
    const key = await localPara.createApiKey();
    const h = await startSignerHarness({ env: { SIGNER_PARA_CALL_TIMEOUT_MS: "2000" }, apiKey: key, before: () => paraDown(key.apiKey, { drop: true }) });
    try {
      const minted = await h.mint();
      expect((await failure(h.grpc.checkSession({ session: minted.session }))).code).toBe(Code.Unavailable);
      expect(await waitForHealth(h.port, S.NOT_SERVING, SIGNER, 100)).toBe(S.NOT_SERVING);
      await localPara.clearFaults(key.apiKey);
      expect(await waitForHealth(h.port, S.SERVING, SIGNER, 400)).toBe(S.SERVING);
      expect((await h.grpc.checkSession({ session: minted.session })).active).toBe(true);
    } finally {
      await h.stop();
    }
  }, 40_000);

  test("Para slow: calls succeed within a generous deadline, fail DEADLINE_EXCEEDED within a tight one", async () => {
    const h = await startSignerHarness();
    try {
      const minted = await h.mint();
      await localPara.addFault({ endpoint: "touch", apiKey: h.key.apiKey, latencyMs: 300 });
      expect((await h.grpc.checkSession({ session: minted.session }, { timeoutMs: 5_000 })).active).toBe(true);
      expect((await failure(h.grpc.checkSession({ session: minted.session }, { timeoutMs: 100 }))).code).toBe(Code.DeadlineExceeded);
      await localPara.clearFaults(h.key.apiKey);
      expect((await h.grpc.checkSession({ session: minted.session })).active).toBe(true);
    } finally {
      await h.stop();
    }
  });

  test("the signing worker crashing repeatedly mid-burst: every innocent call still succeeds", async () => {
    const h = await startSignerHarness();
    try {
      const sessions = await Promise.all(Array.from({ length: 30 }, () => h.mint()));
      await localPara.addFault({ endpoint: "mpcSign", apiKey: h.key.apiKey, crashWorker: true, times: 3 });
      const results = await Promise.allSettled(sessions.map((s) => h.grpc.signMessage({ session: s.session, message: new Uint8Array(32) })));
      const rejected = results.filter((r) => r.status === "rejected");
      // A job is blamed only when it crashes the worker twice running alone: of three injected crashes, at most one
      // job can be blamed (SIGNING_REFUSED) or, failing among others, see UNAVAILABLE; every other call succeeds.
      expect(rejected.length).toBeLessThanOrEqual(1);
      for (const r of rejected) expect([Code.Unavailable, Code.FailedPrecondition]).toContain((r as PromiseRejectedResult).reason.code);
      // And signing works afterwards (a user the crashes did not touch: a blamed wallet stays held).
      expect((await h.grpc.signMessage({ session: (await h.mint()).session, message: new Uint8Array(32) })).signature.length).toBe(65);
    } finally {
      await h.stop();
    }
  });
});
