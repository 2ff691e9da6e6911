import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

test("gen/ is exactly what `buf generate` makes from proto/ (no drift)", () => {
  const out = mkdtempSync(join(tmpdir(), "para-signer-gen-"));
  try {
    execFileSync(join(root, "node_modules/.bin/buf"), ["generate", "--output", out], { cwd: root, stdio: "pipe" });
    const fresh = listFiles(join(out, "gen"))
      .map((f) => relative(join(out, "gen"), f))
      .sort();
    const committed = listFiles(join(root, "gen"))
      .map((f) => relative(join(root, "gen"), f))
      .sort();
    expect(committed).toEqual(fresh);
    for (const file of fresh) {
      expect(readFileSync(join(root, "gen", file), "utf8"), file).toBe(readFileSync(join(out, "gen", file), "utf8"));
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
