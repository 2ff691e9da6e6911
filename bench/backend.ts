/**
 * The local Para backend, in the bench process, shared by every system under
 * test: one API key for the whole run (so the latency faults are scoped to
 * it and touch nobody else's traffic), a pool of pre-minted users, and a
 * per-run latency knob implemented with the backend's own fault injection.
 */
import { startLocalPara, type ApiKeyInfo, type FaultEndpoint, type LocalPara, type MintedSession } from "../src/local-para/index.js";

/** Every Para API endpoint the SDK, the worker or the floor calls with the API key (the brief's list). */
const LATENCY_ENDPOINTS: readonly FaultEndpoint[] = [
  "touch",
  "partner",
  "logout",
  "keepAlive",
  "wallets",
  "jwt",
  "messagesSign",
  "transactionsSign",
  "mpcSign",
  "sessionsVerify",
  "walletsVerify",
  "errorsSdk",
];

export interface BenchSession extends MintedSession {
  /** A Para JWT for this session, issued by the backend before any latency is applied. */
  jwt: string;
}

export interface BenchBackend {
  para: LocalPara;
  key: ApiKeyInfo;
  sessions: BenchSession[];
  /**
   * Replaces the added latency on every API endpoint for the bench key (0 clears it). `downloadMs` delays the
   * worker bundle and wasm downloads from the portal too; those carry no API key, so that fault is unscoped
   * (the backend is the bench's alone while it holds the port lock).
   */
  setLatency(ms: number, downloadMs?: number): void;
  stop(): Promise<void>;
}

export async function startBenchBackend(sessionCount: number): Promise<BenchBackend> {
  const para = await startLocalPara();
  try {
    const key = para.createApiKey();
    const sessions: BenchSession[] = [];
    for (let i = 0; i < sessionCount; i++) {
      const minted = para.mintSession({ apiKey: key.apiKey, email: `bench-${i}@example.com` });
      sessions.push({ ...minted, jwt: await issueJwt(para.apiUrl, key.apiKey, minted.sessionCookie) });
    }
    return {
      para,
      key,
      sessions,
      setLatency(ms, downloadMs = 0) {
        para.clearFaults();
        if (ms > 0) for (const endpoint of LATENCY_ENDPOINTS) para.addFault({ endpoint, apiKey: key.apiKey, latencyMs: ms });
        if (downloadMs > 0) for (const endpoint of ["bundle", "wasm"] as const) para.addFault({ endpoint, latencyMs: downloadMs });
      },
      stop: () => para.stop(),
    };
  } catch (error) {
    await para.stop();
    throw error;
  }
}

/** POST /auth/jwt as the SDK's issueJwt does; the backend has no in-process JWT minting API. */
async function issueJwt(apiUrl: string, apiKey: string, sessionCookie: string): Promise<string> {
  const res = await fetch(`${apiUrl}/auth/jwt`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-external-api-key": apiKey, "x-capsule-sid": sessionCookie },
    body: "{}",
  });
  const body = (await res.json()) as { token?: unknown };
  if (res.status !== 200 || typeof body.token !== "string") throw new Error(`bench: JWT issue failed (${res.status})`);
  return body.token;
}
