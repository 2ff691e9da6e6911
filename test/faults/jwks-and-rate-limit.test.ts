import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Code } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { failure } from "../support/failure.js";
import { LOCAL_PARA_API_URL, localPara } from "../support/local-para-admin.js";
import { startSignerHarness } from "../support/signer-harness.js";

/** A stand-in for Para's JWKS endpoint that the test can break (500, or a reset connection) and bring back. */
async function switchableJwks() {
  let mode: "up" | "500" | "reset" = "up";
  let requests = 0;
  const server = http.createServer(async (req, res) => {
    requests++;
    if (mode === "reset") return void req.socket.destroy();
    if (mode === "500") return void res.writeHead(500).end();
    const upstream = await fetch(`${LOCAL_PARA_API_URL}/.well-known/jwks.json`);
    res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    set: (value: typeof mode) => void (mode = value),
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("JWKS unreachable", () => {
  test("before the keys are cached: UNAVAILABLE with RetryInfo; once reachable: verified; cached keys outlive a later outage", async () => {
    const jwks = await switchableJwks();
    jwks.set("500");
    const h = await startSignerHarness({ env: { PARA_JWKS_URL: jwks.url, SIGNER_PARA_CALL_TIMEOUT_MS: "1000" } });
    try {
      const minted = await h.mint();
      // IssueJwt verifies what Para issued, so it cannot succeed without the keys either: UNAVAILABLE (retry),
      // not UNAUTHENTICATED ("jwt invalid", which would tell the caller the session is bad).
      const first = await failure(h.grpc.issueJwt({ session: minted.session }));
      expect(first.code).toBe(Code.Unavailable);
      expect(first.findDetails(RetryInfoSchema)).toHaveLength(1);
      // A burst during the failure cool-down costs Para's JWKS nothing more.
      const burst = await Promise.all(Array.from({ length: 20 }, () => failure(h.grpc.issueJwt({ session: minted.session }))));
      expect(burst.every((e) => e.code === Code.Unavailable)).toBe(true);
      expect(jwks.requests()).toBe(1);
      jwks.set("up");
      // The first failure's cool-down is 5 s (src/para/jwks-cache.ts); retrying as RetryInfo advises gets through.
      let token = "";
      for (let i = 0; i < 40 && !token; i++) {
        token = await h.grpc.issueJwt({ session: minted.session }).then(
          (r) => r.token,
          () => "",
        );
        if (!token) await new Promise((r) => setTimeout(r, 500));
      }
      expect(token).not.toBe("");
      for (const mode of ["500", "reset"] as const) {
        jwks.set(mode);
        const verified = await h.grpc.verifySession({ credential: { case: "jwt", value: token } });
        expect(verified.userId).toBe(minted.userId);
      }
    } finally {
      await h.stop();
      await jwks.close();
    }
  }, 60_000);
});

describe("JWT issuer (PARA_JWT_ISSUER)", () => {
  test("a token from another issuer is UNAUTHENTICATED; from the configured one, verified", async () => {
    const h = await startSignerHarness();
    const strict = await startSignerHarness({ apiKey: h.key, env: { PARA_JWT_ISSUER: "para-local" } });
    const elsewhere = await startSignerHarness({ apiKey: h.key, env: { PARA_JWT_ISSUER: "https://not-para.example" } });
    try {
      const minted = await h.mint();
      const { token } = await h.grpc.issueJwt({ session: minted.session });
      expect((await strict.grpc.verifySession({ credential: { case: "jwt", value: token } })).userId).toBe(minted.userId);
      const refused = await failure(elsewhere.grpc.verifySession({ credential: { case: "jwt", value: token } }));
      expect(refused.code).toBe(Code.Unauthenticated);
      expect(refused.rawMessage).toBe("jwt invalid: iss");
    } finally {
      await Promise.all([h.stop(), strict.stop(), elsewhere.stop()]);
    }
  });
});

describe("rate limiting toward Para", () => {
  test("excess calls fail fast with RESOURCE_EXHAUSTED and RetryInfo; Para never sees more than the budget", async () => {
    const h = await startSignerHarness({ env: { SIGNER_PARA_MAX_RPS: "20", SIGNER_PARA_BURST: "20", SIGNER_POOL_SIZE: "4" } });
    try {
      const minted = await h.mint();
      await new Promise((resolve) => setTimeout(resolve, 1_200)); // let the pool fill and the bucket refill
      const before = (await localPara.stats()).byApiKey[h.key.apiKey]?.touch ?? 0;
      const started = performance.now();
      const results = await Promise.allSettled(Array.from({ length: 60 }, () => h.grpc.checkSession({ session: minted.session })));
      const elapsedS = (performance.now() - started) / 1000;
      const ok = results.filter((r) => r.status === "fulfilled").length;
      const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
      expect(ok).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      for (const e of refused) {
        expect(e.code).toBe(Code.ResourceExhausted);
        expect(e.findDetails(RetryInfoSchema)).toHaveLength(1);
        // Refused by this server's own budget, told apart from Para's 429 (PARA_RATE_LIMITED).
        expect(e.findDetails(ErrorInfoSchema)[0]?.reason).toBe("PARA_BUDGET_EXHAUSTED");
      }
      // Round trips this burst cost Para: each admitted call's touch (plus constructions, which draw on the same bucket).
      const touches = ((await localPara.stats()).byApiKey[h.key.apiKey]?.touch ?? 0) - before;
      expect(touches).toBeLessThanOrEqual(20 + Math.ceil(elapsedS * 20) + 3 * 4);
    } finally {
      await h.stop();
    }
  });

  test("a cap on calls talking to Para at once", async () => {
    const h = await startSignerHarness({ env: { SIGNER_PARA_MAX_CONCURRENT: "2" } });
    try {
      const minted = await h.mint();
      await localPara.addFault({ endpoint: "keepAlive", apiKey: h.key.apiKey, latencyMs: 500 });
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => h.grpc.checkSession({ session: minted.session, extend: true })));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
      expect(results.filter((r) => r.status === "rejected").every((r) => (r as PromiseRejectedResult).reason.code === Code.ResourceExhausted)).toBe(true);
    } finally {
      await h.stop();
    }
  });
});
