// The backend as a process component: port conflicts, port 0, prompt stop with hung requests, the CLI.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startLocalPara } from "../../src/local-para/index.js";
import { LOCAL_PARA_API_KEY } from "../../src/local-para/constants.js";

const run = promisify(execFile);

describe("local Para backend lifecycle", () => {
  it("a second backend on the same ports rejects, naming the port", async () => {
    await expect(startLocalPara()).rejects.toThrow(/port 8080 is already in use/);
    // Ports that are free for the API but taken for the portal: the API listener is released again.
    await expect(startLocalPara({ apiPort: 0 })).rejects.toThrow(/port 3003 is already in use/);
  });

  it("serves on free ports, and stop() closes promptly even with a hung request", async () => {
    const lp = await startLocalPara({ apiPort: 0, portalPort: 0, hosts: ["127.0.0.1", "::1"] });
    try {
      expect(lp.apiUrl).toMatch(/^http:\/\/localhost:\d+$/);
      const apiPort = new URL(lp.apiUrl).port;
      const health = await fetch(`http://127.0.0.1:${apiPort}/_local/health`);
      expect(await health.json()).toEqual({ ok: true });
      expect((await fetch(`http://[::1]:${apiPort}/_local/health`)).status).toBe(200);
      lp.addFault({ endpoint: "touch", hang: true });
      const hung = fetch(`http://127.0.0.1:${apiPort}/touch`, { method: "POST", headers: { "x-external-api-key": LOCAL_PARA_API_KEY } });
      hung.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      const bundle = await fetch(`http://127.0.0.1:${new URL(lp.portalUrl).port}/static/js/mpcWorkerServer-bundle.js`);
      expect(await bundle.text()).toContain(JSON.stringify(lp.apiUrl));
      const wasm = await fetch(`http://127.0.0.1:${new URL(lp.portalUrl).port}/static/js/main.wasm`);
      // (lib has no DOM/WebAssembly typings; the runtime has it.)
      const wa = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
      expect(wa.validate(new Uint8Array(await wasm.arrayBuffer()))).toBe(true);
      expect(lp.stats().bundleFetches).toBe(1);
      const t0 = performance.now();
      await lp.stop();
      expect(performance.now() - t0).toBeLessThan(2_000);
      await expect(hung).rejects.toThrow();
    } finally {
      await lp.stop();
    }
  });

  it("the in-process API mints sessions for the published default key", async () => {
    // "::2" is not an address of this machine: skipped like a missing ::1 would be, not fatal.
    const lp = await startLocalPara({ apiPort: 0, portalPort: 0, hosts: ["127.0.0.1", "::2"] });
    try {
      const minted = lp.mintSession();
      expect(minted.apiKey).toBe(LOCAL_PARA_API_KEY);
      expect(minted.email).toMatch(/@example\.com$/);
      expect(lp.defaultKey.apiKey).toBe(LOCAL_PARA_API_KEY);
      expect(() => lp.mintSession({ apiKey: "dev_unknown" })).toThrow(/unknown apiKey/);
    } finally {
      await lp.stop();
    }
  });
});

describe("local Para CLI", () => {
  it("--json mints a session on the running backend", async () => {
    const { stdout } = await run("npx", ["tsx", "src/local-para/cli.ts", "--json", "--email", "cli@example.com"], { timeout: 30_000 });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(["session", "sessionWithoutSigners", "verificationToken", "userId", "email", "apiKey", "wallets"]);
    expect(out["email"]).toBe("cli@example.com");
    expect(out["apiKey"]).toBe(LOCAL_PARA_API_KEY);
    expect((out["wallets"] as { type: string }[]).map((w) => w.type)).toEqual(["EVM", "SOLANA"]);
  });

  it("prints the bare session by default, and fails clearly without a backend", async () => {
    const { stdout } = await run("npx", ["tsx", "src/local-para/cli.ts", "--exclude-signers"], { timeout: 30_000 });
    const parsed = JSON.parse(Buffer.from(stdout.trim(), "base64").toString()) as { wallets: Record<string, object> };
    for (const w of Object.values(parsed.wallets)) expect(w).not.toHaveProperty("signer");
    const down = run("npx", ["tsx", "src/local-para/cli.ts", "--api-url", "http://127.0.0.1:9"], { timeout: 30_000 });
    await expect(down).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/no local Para backend at/) });
  });
});
