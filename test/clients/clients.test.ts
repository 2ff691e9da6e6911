import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { recoverMessageAddress } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { MintedSession } from "../../src/local-para/types.js";
import { REPO_ROOT } from "../support/service-process.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

/**
 * The client examples in clients/<language>/, generated with each language's own
 * toolchain into its own folder, run as separate processes against the real
 * service. Each one checks a session, signs with EIP-191, and decodes google.rpc
 * error details; the signature it prints is verified here, independently, with
 * viem. Python and Go run when their toolchains are installed (`.ci/run` installs
 * them from Debian, and in CI (CI=true, or CI_REQUIRE_CLIENTS=1 anywhere) a missing toolchain is a failure, not a skip).
 */

const required = process.env["CI_REQUIRE_CLIENTS"] === "1" || process.env["CI"] === "true";

function works(cmd: string, args: string[]): boolean {
  try {
    return spawnSync(cmd, args, { stdio: "ignore", timeout: 20_000 }).status === 0;
  } catch {
    return false;
  }
}

/** A python with gRPC and grpc_tools: PYTHON, python3 on PATH, or Debian's /usr/bin/python3 (pyenv shims hide it). */
const python = [process.env["PYTHON"], "python3", "/usr/bin/python3"].find(
  (p): p is string => !!p && works(p, ["-c", "import grpc, grpc_tools.protoc, google.protobuf"]),
);
const hasGo =
  works("go", ["version"]) &&
  works("protoc", ["--version"]) &&
  works("sh", ["-c", "command -v protoc-gen-go && command -v protoc-gen-go-grpc"]) &&
  existsSync("/usr/share/gocode/src/google.golang.org/grpc") &&
  existsSync("/usr/share/gocode/src/google.golang.org/genproto/googleapis/rpc/errdetails");

const PY_MISSING = "no python3 with grpcio and grpcio-tools (apt-get install python3-grpcio python3-grpc-tools python3-protobuf)";
const GO_MISSING =
  "no Go toolchain with Debian's gRPC packages (apt-get install golang-go protobuf-compiler protoc-gen-go protoc-gen-go-grpc golang-google-grpc-dev golang-github-golang-protobuf-1-5-dev)";

if (required && (!python || !hasGo)) {
  test("client toolchains are installed (in CI)", () => {
    expect.fail([!python && PY_MISSING, !hasGo && GO_MISSING].filter(Boolean).join("; "));
  });
}
if (!python) console.warn(`clients: skipping the Python example: ${PY_MISSING}`);
if (!hasGo) console.warn(`clients: skipping the Go example: ${GO_MISSING}`);

/** Runs a command without blocking this process's event loop, which serves the calls. */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], timeout: 170_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${stdout}\n${stderr}`))));
  });
}

/** What every example prints, checked the same way; the signature is verified here, not trusted. */
async function expectExampleOutput(out: string, minted: MintedSession): Promise<void> {
  const lines = Object.fromEntries(
    out
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
  );
  expect(lines["check"], out).toMatch(/^active=true wallets=\d+$/);
  const sign = /^message=(.+) address=(0x[0-9a-fA-F]{40}) signature=(0x[0-9a-fA-F]{130})$/.exec(lines["sign"] ?? "");
  expect(sign, out).not.toBeNull();
  const [, message, address, signature] = sign!;
  const evm = minted.wallets.find((w) => w.type === "EVM");
  expect(address!.toLowerCase()).toBe(evm!.address!.toLowerCase());
  const recovered = await recoverMessageAddress({ message: message!, signature: signature as `0x${string}` });
  expect(recovered.toLowerCase()).toBe(address!.toLowerCase());
  expect(lines["bad session"], out).toMatch(/^INVALID_ARGUMENT .*field=session \(/);
  expect(lines["unknown wallet"], out).toMatch(/^NOT_FOUND /);
}

describe("client examples against the real service", () => {
  let h: SignerHarness;
  let minted: MintedSession;
  beforeAll(async () => {
    h = await startSignerHarness();
    minted = await h.mint();
  });
  afterAll(() => h?.stop());

  test("TypeScript (Connect), generated into clients/typescript/gen", async () => {
    await run(join(REPO_ROOT, "node_modules/.bin/buf"), ["generate", "--template", "clients/typescript/buf.gen.yaml"], {});
    const out = await run(process.execPath, ["--import", "tsx", "clients/typescript/example.ts", `http://127.0.0.1:${h.port}`], {
      PARA_SESSION: minted.session,
    });
    await expectExampleOutput(out, minted);
  }, 60_000);

  test.skipIf(!python)(
    `Python (grpcio), generated into clients/python/gen${python ? "" : ` — skipped: ${PY_MISSING}`}`,
    async () => {
      await run("sh", ["clients/python/generate.sh"], { PYTHON: python! });
      const out = await run(python!, ["clients/python/example.py", `127.0.0.1:${h.port}`], { PARA_SESSION: minted.session });
      await expectExampleOutput(out, minted);
    },
    60_000,
  );

  test.skipIf(!hasGo)(
    `Go (grpc-go from Debian, no module proxy), generated into clients/go/gen${hasGo ? "" : ` — skipped: ${GO_MISSING}`}`,
    async () => {
      await run("sh", ["clients/go/generate.sh"], {});
      const out = await run("sh", ["clients/go/run.sh", `127.0.0.1:${h.port}`], { PARA_SESSION: minted.session });
      await expectExampleOutput(out, minted);
    },
    180_000,
  );
});
