import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, test } from "vitest";
import { HealthCheckResponse_ServingStatus as S } from "../gen/grpc/health/v1/health_pb.js";
import { SignerService } from "../gen/para/signer/v1/signer_service_pb.js";
import { localPara } from "./support/local-para-admin.js";
import { spawnService, waitForHealth } from "./support/service-process.js";

/** The service from source, as `npm start` runs it (tsx's loader instead of a build). */
const run = (env: Record<string, string>) => spawnService(["--import", "tsx", "src/runtime/main.ts"], env);

describe("the service process (src/runtime/main.ts)", () => {
  test("a bad config value stops start-up with one line naming the variable", async () => {
    const p = run({ PORT: "abc" });
    expect(await p.exited).toBe(2);
    const lines = p.err().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("PORT");
  });

  test("a key whose prefix contradicts PARA_ENVIRONMENT is refused at start-up", async () => {
    const p = run({ PARA_API_KEY: "prod_not-a-real-key", PARA_ENVIRONMENT: "DEV" });
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain("PARA_API_KEY");
    expect(p.err()).not.toContain("not-a-real-key");
  });

  // Fail closed (config.ts localModeOf). The run's shared local Para backend already listens on 8080/3003, the
  // emulator's fixed ports, so "nothing bound them" cannot be observed from outside. What is observed instead: the
  // process exits 2 within moments, on the config error alone; it wrote exactly one line, to stderr, naming the
  // variable; and stdout is empty, so it never logged "LOCAL MODE" (written before anything listens for the service)
  // or "listening". main.ts reads config before it starts anything, and the emulator's code is only loaded by
  // startLocalBackend, so nothing of local mode can have run.
  test.each([
    { note: "an empty PARA_API_KEY (an empty Kubernetes Secret value)", env: { PARA_API_KEY: "" }, says: "set but empty" },
    { note: "a blank PARA_API_KEY", env: { PARA_API_KEY: "  " }, says: "set but empty" },
    { note: "an empty PARA_API_KEY outside production", env: { PARA_API_KEY: "", NODE_ENV: "development" }, says: "set but empty" },
    { note: "NODE_ENV=production without PARA_API_KEY", env: { NODE_ENV: "production" }, says: "NODE_ENV=production" },
  ])("$note: refused at start-up with one line, local mode never starts", async ({ env, says }) => {
    const started = performance.now();
    const p = run({ PORT: "0", ...env });
    const code = await Promise.race([p.exited, new Promise<"still running">((r) => setTimeout(() => r("still running"), 15_000))]);
    if (code === "still running") p.child.kill("SIGKILL");
    expect(code).toBe(2);
    expect(performance.now() - started).toBeLessThan(15_000);
    const lines = p.err().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^para-signer: configuration error: PARA_API_KEY: /);
    expect(lines[0]).toContain(says);
    expect(p.out()).toBe("");
    expect(p.err()).not.toContain("LOCAL MODE");
  });

  test.each([
    { note: "one process", workers: "1" },
    { note: "two worker processes on one port", workers: "2" },
  ])("$note: starts, reports SERVING once warm, serves, and exits 0 on SIGTERM despite the SDK's worker", async ({ workers }) => {
    const key = await localPara.createApiKey();
    const p = run({ PORT: "0", PARA_ENVIRONMENT: "DEV", PARA_API_KEY: key.apiKey, SIGNER_DRAIN_DELAY_MS: "100", SIGNER_WORKERS: workers });
    const port = await p.port();
    const status = await waitForHealth(port, S.SERVING);
    expect(status).toBe(S.SERVING);
    const signer = createClient(SignerService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}`, idleConnectionTimeoutMs: 50 }));
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const results = await Promise.all(Array.from({ length: 8 }, () => signer.checkSession({ session: minted.session })));
    expect(results.every((r) => r.active)).toBe(true);
    if (workers === "2") {
      const listeningLines = () => [...p.out().matchAll(/"pid":(\d+),"host":"[^"]*","port":(\d+)/g)];
      for (let i = 0; i < 100 && listeningLines().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      const listening = listeningLines();
      expect(new Set(listening.map((m) => m[1])).size).toBe(2); // two processes…
      expect(new Set(listening.map((m) => m[2]))).toEqual(new Set([String(port)])); // …on one port
    }
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });
});
