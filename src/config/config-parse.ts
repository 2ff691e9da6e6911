import { readFileSync } from "node:fs";

/** Raised for a bad environment value; the message names the variable (never a secret's value). */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export type Env = Record<string, string | undefined>;

export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === "") return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name}: "${value}" is not one of ${allowed.join(", ")}`);
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}: "${raw}" is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name}: ${value} is outside ${min}..${max}`);
  return value;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes"].includes(raw)) return true;
  if (["0", "false", "no"].includes(raw)) return false;
  throw new ConfigError(`${name}: "${raw}" is not true or false`);
}

/** Reads a file named by a variable; a missing or unreadable file names the variable. */
export function fileFrom(env: Env, name: string): Buffer | undefined {
  const path = nonEmpty(env[name]);
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch {
    throw new ConfigError(`${name}: cannot read ${path}`);
  }
}
