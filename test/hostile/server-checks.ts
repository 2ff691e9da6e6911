// What every hostile batch against the real server asserts afterwards: the call ended with a clean, expected code
// that echoes nothing it was sent, the service still serves a fresh user, and no log line carries what was sent.
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";
import type { SignerHarness } from "../support/signer-harness.js";
import { expectNoEcho } from "./decode-oracle.js";

export type Outcome = "ok" | Code;

/** Runs a call to completion and says how it ended; the error, if any, is checked for echoes of `sent`. */
export async function outcomeOf(call: Promise<unknown>, sent: readonly string[]): Promise<Outcome> {
  try {
    await call;
    return "ok";
  } catch (e) {
    const error = ConnectError.from(e);
    expectNoEcho([error.rawMessage, JSON.stringify(error.details), JSON.stringify([...error.metadata.entries()])], sent);
    return error.code;
  }
}

export function expectOneOf(outcome: Outcome, allowed: readonly Outcome[], note: string): void {
  const name = (o: Outcome) => (o === "ok" ? "OK" : Code[o]);
  expect(allowed.map(name), `${note}: got ${name(outcome)}`).toContain(name(outcome));
}

/** The process is alive and not wedged: a brand-new user's session checks out as that user's. */
export async function expectStillServing(h: SignerHarness): Promise<void> {
  const fresh = await h.mint();
  const res = await h.grpc.checkSession({ session: fresh.session }, { timeoutMs: 10_000 });
  expect(res.active).toBe(true);
  expect(res.userId).toBe(fresh.userId);
}

/**
 * No captured log line holds a fragment of anything sent. Random inputs are sampled at a few 16-character windows,
 * and only windows varied enough (8+ distinct characters) that they cannot turn up in a log line by chance.
 */
export function expectLogsFree(h: SignerHarness, sent: readonly string[]): void {
  const logs = h.logs.join("\n");
  for (const value of sent) {
    for (const window of sampleWindows(value)) {
      if (logs.includes(window)) throw new Error(`a log line carries a fragment of a sent value: ${JSON.stringify(window.slice(0, 6))}…`);
    }
  }
}

function sampleWindows(value: string): string[] {
  if (value.length < 16) return [];
  const starts = [0, Math.floor(value.length / 3), Math.floor(value.length / 2), value.length - 16];
  return starts.map((i) => value.slice(i, i + 16)).filter((w) => new Set(w).size >= 8);
}

/** A value nobody else sends, to look for afterwards. */
export const canary = (label: string): string => `CANARY-${label}-${Math.random().toString(36).slice(2, 12)}`;
