// ParaJwtVerifier and its key-set cache against a JWKS endpoint this file controls (node:http on port 0, keys from
// jose), with the cache's clock in the test's hands: no shared backend, no waiting out real cool-downs.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { DEFAULT_JWKS_POLICY, failureCooldownMs } from "../../src/para/jwks-cache.js";
import { ParaJwtVerifier, type ParaJwtVerifierOptions } from "../../src/para/jwt-verifier.js";

const AUDIENCE = "api-key-id-1";
const ISSUER = "https://para.example";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type Mode = "up" | "500" | "reset" | "hang" | "not-a-key-set" | "not-json";

/** A JWKS endpoint: serves `keys`, or fails as `mode` says; counts requests; can hold answers back. */
async function jwksServer() {
  const state = { mode: "up" as Mode, keys: [] as JWK[], requests: 0, delayMs: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    const answer = () => {
      if (state.mode === "hang") return; // never answers; the verifier's timeout must end it
      if (state.mode === "reset") return void req.socket.destroy();
      if (state.mode === "500") return void res.writeHead(500).end("oops");
      if (state.mode === "not-a-key-set") return void res.writeHead(200, { "content-type": "application/json" }).end('{"keys":"none"}');
      if (state.mode === "not-json") return void res.writeHead(200, { "content-type": "text/html" }).end("<html>login</html>");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: state.keys }));
    };
    if (state.delayMs > 0) setTimeout(answer, state.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } as JWK };
}

type SigningKey = Awaited<ReturnType<typeof signingKey>>;

function tokenFor(key: SigningKey, claims: { aud?: string; iss?: string; exp?: string } = {}) {
  const jwt = new SignJWT({ data: { userId: "user-1", authType: "email", identifier: "alice@example.com", wallets: [] } })
    .setProtectedHeader({ alg: "RS256", kid: key.kid })
    .setSubject("user-1")
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt()
    // Far out: the cache's clock is moved by up to days, jose's is not.
    .setExpirationTime(claims.exp ?? "96h");
  if (claims.iss !== undefined) jwt.setIssuer(claims.iss);
  return jwt.sign(key.privateKey);
}

async function outcome(p: Promise<unknown>): Promise<ConnectError | "ok"> {
  try {
    await p;
    return "ok";
  } catch (error) {
    return ConnectError.from(error);
  }
}

describe("ParaJwtVerifier with its key-set cache", () => {
  let jwks: Awaited<ReturnType<typeof jwksServer>>;
  let para: SigningKey;
  let stranger: SigningKey;
  let now = 0;

  const verifier = (options: Partial<ParaJwtVerifierOptions> = {}) =>
    new ParaJwtVerifier({
      jwksUrl: jwks.url,
      audience: AUDIENCE,
      issuer: undefined,
      timeoutMs: 500,
      fetch: (url, init) => fetch(url, init),
      now: () => now,
      ...options,
    });

  beforeAll(async () => {
    jwks = await jwksServer();
    para = await signingKey("para-key-1");
    stranger = await signingKey("not-published");
  });
  afterAll(() => jwks.close());
  beforeEach(() => {
    now = 1_000_000;
    Object.assign(jwks.state, { mode: "up", keys: [para.jwk], requests: 0, delayMs: 0 });
  });

  test("a good token verifies, with one fetch for any number of verifications", async () => {
    const v = verifier();
    for (let i = 0; i < 5; i++) {
      const claims = await v.verify(await tokenFor(para));
      expect(claims.userId).toBe("user-1");
      expect(claims.keyId).toBe("para-key-1");
    }
    expect(v.stats()).toEqual({ fetches: 1, failures: 0, keys: 1 });
    expect(jwks.state.requests).toBe(1);
  });

  test('JWKS answering 500 before any key is cached: UNAVAILABLE with RetryInfo, not "jwt invalid"', async () => {
    jwks.state.mode = "500";
    const e = await outcome(verifier().verify(await tokenFor(para)));
    expect(e).toBeInstanceOf(ConnectError);
    const error = e as ConnectError;
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toBe("para jwks unavailable");
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("PARA_UNAVAILABLE");
    expect(Number(error.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBeGreaterThanOrEqual(1);
  });

  test("a hanging JWKS is bounded by the timeout and answers UNAVAILABLE", async () => {
    jwks.state.mode = "hang";
    const started = performance.now();
    const e = await outcome(verifier({ timeoutMs: 200 }).verify(await tokenFor(para)));
    expect((e as ConnectError).code).toBe(Code.Unavailable);
    // Bounded at all is the point (an unbounded fetch would hang the test); the bound is generous for a loaded machine.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test("JWKS down: cached keys keep verifying up to 24 h after the last successful refresh, then UNAVAILABLE", async () => {
    const v = verifier();
    const token = await tokenFor(para);
    await v.verify(token);
    for (const mode of ["500", "reset"] as const) {
      jwks.state.mode = mode;
      // Past the 10-minute freshness: a background refresh is tried (and fails); the cached keys still verify.
      now += 11 * MINUTE;
      expect((await v.verify(token)).userId).toBe("user-1");
    }
    now += 23 * HOUR; // 23 h 22 min since the last success
    expect((await v.verify(token)).userId).toBe("user-1");
    now += HOUR; // past 24 h: the keys are too old to trust
    expect(((await outcome(v.verify(token))) as ConnectError).code).toBe(Code.Unavailable);
    // Para's JWKS back: the next fetch after the cool-down restores verification.
    jwks.state.mode = "up";
    now += DEFAULT_JWKS_POLICY.failureCooldownMaxMs;
    expect((await v.verify(token)).userId).toBe("user-1");
  });

  test("JWKS down: a token whose kid is unknown is UNAVAILABLE (the key may exist), known kids still verify", async () => {
    const v = verifier();
    await v.verify(await tokenFor(para));
    jwks.state.mode = "500";
    now += DEFAULT_JWKS_POLICY.unknownKeyCooldownMs + 1; // a refetch is allowed: it is tried, and fails
    const unknown = (await outcome(v.verify(await tokenFor(stranger)))) as ConnectError;
    expect(unknown.code).toBe(Code.Unavailable);
    expect(unknown.findDetails(RetryInfoSchema)).toHaveLength(1);
    // Within the failure cool-down: still UNAVAILABLE, and no further fetch.
    const fetches = v.stats().fetches;
    expect(((await outcome(v.verify(await tokenFor(stranger)))) as ConnectError).code).toBe(Code.Unavailable);
    expect(v.stats().fetches).toBe(fetches);
    expect((await v.verify(await tokenFor(para))).userId).toBe("user-1");
  });

  test("burst: 200 concurrent verifications with an unknown kid while the JWKS is down cost at most one fetch", async () => {
    const v = verifier();
    await v.verify(await tokenFor(para));
    const before = jwks.state.requests;
    Object.assign(jwks.state, { mode: "500", delayMs: 100 }); // the fetch is still in flight while all 200 arrive
    now += DEFAULT_JWKS_POLICY.unknownKeyCooldownMs + 1;
    const token = await tokenFor(stranger);
    const results = await Promise.all(Array.from({ length: 200 }, () => outcome(v.verify(token))));
    expect(results.every((r) => r instanceof ConnectError && r.code === Code.Unavailable)).toBe(true);
    expect(jwks.state.requests - before).toBeLessThanOrEqual(1);
    // And again, later within the cool-down: none at all.
    now += 1_000;
    const again = await Promise.all(Array.from({ length: 200 }, () => outcome(v.verify(token))));
    expect(again.every((r) => r instanceof ConnectError && r.code === Code.Unavailable)).toBe(true);
    expect(jwks.state.requests - before).toBeLessThanOrEqual(1);
  });

  test("burst on a cold cache: 200 concurrent verifications of good tokens share one fetch", async () => {
    const v = verifier();
    jwks.state.delayMs = 100;
    const token = await tokenFor(para);
    const results = await Promise.all(Array.from({ length: 200 }, () => outcome(v.verify(token))));
    expect(results.every((r) => r === "ok")).toBe(true);
    expect(jwks.state.requests).toBe(1);
  });

  test("JWKS up: an unknown kid is UNAUTHENTICATED after a successful refetch, at most one refetch per cool-down", async () => {
    const v = verifier();
    await v.verify(await tokenFor(para));
    now += DEFAULT_JWKS_POLICY.unknownKeyCooldownMs + 1;
    jwks.state.delayMs = 50;
    const token = await tokenFor(stranger);
    const burst = await Promise.all(Array.from({ length: 200 }, () => outcome(v.verify(token))));
    expect(burst.every((r) => r instanceof ConnectError && r.code === Code.Unauthenticated && r.rawMessage === "jwt invalid")).toBe(true);
    expect(v.stats().fetches).toBe(2); // the first load and one refetch
    for (let i = 0; i < 20; i++) {
      now += 1_000; // 20 s more: still within the 30 s cool-down
      expect(((await outcome(v.verify(token))) as ConnectError).code).toBe(Code.Unauthenticated);
    }
    expect(v.stats().fetches).toBe(2);
  });

  test("key rotation: a token signed with a newly published key verifies after one refetch", async () => {
    const v = verifier();
    await v.verify(await tokenFor(para));
    const next = await signingKey("para-key-2");
    jwks.state.keys = [para.jwk, next.jwk];
    now += DEFAULT_JWKS_POLICY.unknownKeyCooldownMs + 1;
    expect((await v.verify(await tokenFor(next))).keyId).toBe("para-key-2");
    expect(v.stats()).toEqual({ fetches: 2, failures: 0, keys: 2 });
  });

  test("failed fetches start a growing cool-down: 5 s, 10 s, 20 s ... capped at 5 min", async () => {
    expect([1, 2, 3, 4, 7, 50].map((n) => failureCooldownMs(n, DEFAULT_JWKS_POLICY))).toEqual([5_000, 10_000, 20_000, 40_000, 300_000, 300_000]);
    const v = verifier();
    jwks.state.mode = "500";
    const token = await tokenFor(para);
    for (let i = 0; i < 10; i++) await outcome(v.verify(token));
    expect(v.stats()).toEqual({ fetches: 1, failures: 1, keys: 0 }); // ten calls, one fetch
    now += 5_000;
    await outcome(v.verify(token));
    expect(v.stats().fetches).toBe(2);
    now += 5_000; // the second cool-down is 10 s
    await outcome(v.verify(token));
    expect(v.stats().fetches).toBe(2);
    jwks.state.mode = "up";
    now += 5_000;
    expect((await v.verify(token)).userId).toBe("user-1");
    expect(v.stats()).toEqual({ fetches: 3, failures: 2, keys: 1 });
  });

  test("a configured issuer is required: a mismatched or missing iss is UNAUTHENTICATED naming the claim", async () => {
    const v = verifier({ issuer: ISSUER });
    expect((await v.verify(await tokenFor(para, { iss: ISSUER }))).userId).toBe("user-1");
    for (const token of [await tokenFor(para, { iss: "https://evil.example" }), await tokenFor(para)]) {
      const e = (await outcome(v.verify(token))) as ConnectError;
      expect(e.code).toBe(Code.Unauthenticated);
      expect(e.rawMessage).toBe("jwt invalid: iss");
      expect(e.rawMessage).not.toContain("evil");
    }
    // Without PARA_JWT_ISSUER no issuer is checked.
    expect((await verifier().verify(await tokenFor(para, { iss: "https://anyone.example" }))).userId).toBe("user-1");
  });

  test("audience and expiry are still enforced; no audience configured is FAILED_PRECONDITION", async () => {
    const v = verifier();
    const aud = (await outcome(v.verify(await tokenFor(para, { aud: "someone-else" })))) as ConnectError;
    expect(aud.rawMessage).toBe("jwt invalid: aud");
    expect(aud.findDetails(ErrorInfoSchema)[0]?.reason).toBe("JWT_INVALID");
    const expired = (await outcome(v.verify(await tokenFor(para, { exp: "-1h" })))) as ConnectError;
    expect(expired.rawMessage).toBe("jwt expired");
    expect(expired.findDetails(ErrorInfoSchema)[0]?.reason).toBe("JWT_EXPIRED");
    expect(((await outcome(verifier({ audience: undefined }).verify(await tokenFor(para)))) as ConnectError).code).toBe(Code.FailedPrecondition);
  });

  test("garbage and disallowed algorithms cost no fetch", async () => {
    const v = verifier();
    for (const token of ["not.a.jwt", "", `${Buffer.from('{"alg":"none"}').toString("base64url")}.e30.`]) {
      expect(((await outcome(v.verify(token))) as ConnectError).code).toBe(Code.Unauthenticated);
    }
    expect(v.stats().fetches).toBe(0);
  });

  test("a JWKS answer that is not a key set is a failed fetch (UNAVAILABLE), and cached keys survive it", async () => {
    const v = verifier();
    const token = await tokenFor(para);
    await v.verify(token);
    for (const mode of ["not-a-key-set", "not-json"] as const) {
      jwks.state.mode = mode;
      now += DEFAULT_JWKS_POLICY.failureCooldownMaxMs;
      expect(((await outcome(v.verify(await tokenFor(stranger)))) as ConnectError).code).toBe(Code.Unavailable);
      expect((await v.verify(token)).userId).toBe("user-1");
    }
    expect(v.stats()).toEqual({ fetches: 3, failures: 2, keys: 1 });
  });
});
