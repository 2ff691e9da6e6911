// The production image cannot start local mode: config refuses it under NODE_ENV=production (the image's default),
// startLocalBackend refuses it again, and the image does not contain the emulator at all. There is no Docker engine
// on the build machines, so the Dockerfile is read as text, and a build without the emulator is imitated by copying
// local-mode.ts into a folder that has no local-para/ beside it.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { startLocalBackend } from "../../src/runtime/local-mode.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { REPO_ROOT } from "../support/service-process.js";

/** The Dockerfile's stages: the lines from each FROM to the next. */
function stages(): string[][] {
  const lines = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const out: string[][] = [];
  for (const line of lines) {
    if (line.startsWith("FROM ")) out.push([]);
    out[out.length - 1]?.push(line);
  }
  return out;
}

describe("the image holds no local Para backend", () => {
  afterEach(() => vi.unstubAllEnvs());

  test("the build stage deletes dist/src/local-para in the step that builds; the runtime copies dist only from there", () => {
    const all = stages();
    const build = all.find((s) => s[0]?.endsWith(" AS build"));
    const runtime = all[all.length - 1]!;
    // In the same RUN as the build, so no layer of the build stage's output that the runtime copies ever has it.
    const buildRun = build?.find((l) => l.startsWith("RUN ") && l.includes("npm run build"));
    expect(buildRun).toMatch(/npm run build && rm -rf dist\/src\/local-para(\s|$)/);
    const copies = runtime.filter((l) => l.startsWith("COPY "));
    expect(copies.some((l) => /--from=build\b.*\/app\/dist \.\/dist$/.test(l))).toBe(true);
    // Nothing else could bring the emulator in: no source, no whole-context copy into the runtime.
    for (const copy of copies) {
      expect(copy).not.toMatch(/\bsrc\b|local-para|COPY (--chown=\S+ )?\. /);
    }
    expect(runtime).toContain("ENV NODE_ENV=production HOST=0.0.0.0 PORT=50051");
  });

  test("a build without the emulator: local mode fails with one clear line, not a module-resolution stack", () => {
    const dir = mkdtempSync(join(tmpdir(), "para-signer-no-local-para-"));
    try {
      copyFileSync(join(REPO_ROOT, "src/runtime/local-mode.ts"), join(dir, "local-mode.ts"));
      writeFileSync(
        join(dir, "run.ts"),
        `import { startLocalBackend } from "./local-mode.ts";
startLocalBackend({ warn() {} } as never).then(() => console.log("started"), (e: Error) => console.log(e.message));`,
      );
      const out = execFileSync(process.execPath, ["--import", "tsx", join(dir, "run.ts")], {
        cwd: REPO_ROOT,
        env: { PATH: process.env["PATH"] ?? "" },
        encoding: "utf8",
      });
      expect(out.trim()).toBe("local mode unavailable: this build does not include the local Para backend (set PARA_API_KEY)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("NODE_ENV=production refuses local mode even where the emulator is present (this source tree)", async () => {
    vi.stubEnv("NODE_ENV", "production");
    const logs: string[] = [];
    const logger = createLogger("debug", { write: (line: string) => void logs.push(line) });
    await expect(startLocalBackend(logger)).rejects.toThrow("local mode refused: NODE_ENV is production (set PARA_API_KEY)");
    expect(logs.join("")).not.toContain("LOCAL MODE");
  });
});
