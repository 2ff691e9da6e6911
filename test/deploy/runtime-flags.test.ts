// The V8 flags para-signer runs with are part of the product (README "Running in a mesh", bench/results/memory-reducer.md):
// the image and `npm start` must run the same node flags, and the bench every para-signer system with the V8 ones among
// them, or the bench measures a service nobody deploys.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SIGNER_RUNTIME_FLAGS, systemSpecs } from "../../bench/systems.js";
import { dockerCmd } from "../support/dockerfile.js";
import { REPO_ROOT } from "../support/service-process.js";

/** The node flags of a `node <flags…> <entry> <args…>` command: those before the entry (an `--import`'s module included). */
function nodeFlags(tokens: readonly string[]): string[] {
  const flags: string[] = [];
  for (let i = tokens.indexOf("node") + 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith("--")) break; // the entry: what follows is the program's, not node's
    flags.push(token);
    if (token === "--import" || token === "--require") flags.push(tokens[++i]!);
  }
  return flags;
}

function imageFlags(): string[] {
  return nodeFlags(dockerCmd());
}

function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["start"]!;
  return nodeFlags(start.slice(start.indexOf("exec node")).split(/\s+/));
}

describe("the V8 flags para-signer runs with", () => {
  test("reading a command's node flags stops at the entry", () => {
    expect(nodeFlags(["node", "--a", "--import", "./x.js", "main.js", "--not-node's"])).toEqual(["--a", "--import", "./x.js"]);
  });

  test("the image's CMD and `npm start` run the same node flags, the memory reducer off among them", () => {
    expect(SIGNER_RUNTIME_FLAGS).toContain("--no-memory-reducer");
    expect(startFlags()).toEqual(imageFlags());
    for (const flag of SIGNER_RUNTIME_FLAGS) expect(imageFlags()).toContain(flag);
  });

  test("every para-signer system of the bench runs them first; the docs' pattern runs on plain node", () => {
    const specs = systemSpecs({ key: { apiKey: "k", secretApiKey: "s", apiKeyId: "i" }, otlpUrl: "http://127.0.0.1:1" });
    const signers = specs.filter((s) => s.id.startsWith("para-signer"));
    expect(signers.map((s) => s.id)).toEqual(expect.arrayContaining(["para-signer", "para-signer-inline", "para-signer-x2", "para-signer+otel"]));
    for (const spec of signers) expect(spec.nodeArgs.slice(0, SIGNER_RUNTIME_FLAGS.length)).toEqual([...SIGNER_RUNTIME_FLAGS]);
    expect(specs.find((s) => s.id === "express-pattern")?.nodeArgs).not.toContain("--no-memory-reducer");
  });

  test("this Node accepts them (a flag it does not know ends the process at start)", () => {
    const run = spawnSync(process.execPath, [...SIGNER_RUNTIME_FLAGS, "-e", "0"], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(spawnSync(process.execPath, ["--no-memory-reducr", "-e", "0"]).status).not.toBe(0);
  });
});
