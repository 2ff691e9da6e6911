import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./service-process.js";

/** The Dockerfile's CMD (exec form), read from the Dockerfile itself so tests and image cannot drift apart. */
export function dockerCmd(): string[] {
  const line = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8")
    .split("\n")
    .find((l) => l.startsWith("CMD "));
  return JSON.parse(line!.slice(4)) as string[];
}
