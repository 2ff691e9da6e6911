import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { dockerCmd } from "../support/dockerfile.js";
import { localPara } from "../support/local-para-admin.js";
import { REPO_ROOT as root, spawnService, waitForHealth } from "../support/service-process.js";

const work = mkdtempSync(join(tmpdir(), "para-signer-image-"));

function registryReachable(): boolean {
  try {
    execFileSync("npm", ["ping", "--fetch-timeout=15000", "--fetch-retries=0"], { stdio: "ignore", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

describe("the image's steps, outside Docker", () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test("production install into a fresh folder, start as the image does, health SERVING, SIGTERM, clean exit", async (ctx) => {
    // This one test needs the npm registry (a fresh production install); without it, say so and skip, rather than
    // hang in npm's retries and end in a misleading error.
    if (!registryReachable()) {
      ctx.skip("the npm registry is unreachable (npm ping failed within 20 s): the production install cannot be tried here");
    }
    // deps stage: production dependencies only, no install scripts.
    cpSync(join(root, "package.json"), join(work, "package.json"));
    cpSync(join(root, "package-lock.json"), join(work, "package-lock.json"));
    execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: work, stdio: "pipe" });
    expect(existsSync(join(work, "node_modules/vitest"))).toBe(false); // no dev dependency in the image
    expect(existsSync(join(work, "node_modules/tsx"))).toBe(false);
    // build stage: compile into the folder's dist/.
    execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.build.json"), "--outDir", join(work, "dist")], { stdio: "pipe" });
    // ...without the local Para backend, as the Dockerfile's build stage removes it: the image must run without it.
    expect(readFileSync(join(root, "Dockerfile"), "utf8")).toMatch(/rm -rf dist\/src\/local-para/);
    rmSync(join(work, "dist/src/local-para"), { recursive: true, force: true });

    const key = await localPara.createApiKey();
    const [command, ...args] = dockerCmd();
    expect(command).toBe("node");
    const service = spawnService(
      args,
      { NODE_ENV: "production", HOST: "127.0.0.1", PORT: "0", PARA_ENVIRONMENT: "DEV", PARA_API_KEY: key.apiKey, SIGNER_DRAIN_DELAY_MS: "100" },
      work,
    );
    const port = await service.port();
    expect(await waitForHealth(port, S.SERVING)).toBe(S.SERVING);
    // The image's HEALTHCHECK command agrees.
    execFileSync(process.execPath, ["dist/src/health/health-probe.js"], { cwd: work, env: { PORT: String(port) } });
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  }, 180_000);
});
