// The V8 flags para-signer runs with are part of the product (README "Performance"): the image, `npm start` and the
// bench must run the same ones, or the bench measures a service nobody deploys.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SIGNER_RUNTIME_FLAGS } from "../../bench/systems.js";
import { REPO_ROOT } from "../support/service-process.js";

/** The node flags of a `node … <entry>` command: the tokens from `node` up to the first that is not a flag. */
function nodeFlags(tokens: readonly string[]): string[] {
  return tokens.slice(tokens.indexOf("node") + 1).filter((t) => t.startsWith("--"));
}

describe("the V8 flags para-signer runs with", () => {
  test("the image's CMD and `npm start` carry every flag the bench runs para-signer with", () => {
    const cmdLine = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8")
      .split("\n")
      .find((l) => l.startsWith("CMD "));
    const image = nodeFlags(JSON.parse(cmdLine!.slice(4)) as string[]);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const start = nodeFlags(pkg.scripts["start"]!.slice(pkg.scripts["start"]!.indexOf("exec node")).split(/\s+/));
    expect(SIGNER_RUNTIME_FLAGS).toContain("--no-memory-reducer");
    for (const flag of SIGNER_RUNTIME_FLAGS) {
      expect(image).toContain(flag);
      expect(start).toContain(flag);
    }
  });
});
