// The contract every decoder property checks, in one place: decodeSession either returns a session whose canonical
// re-encoding decodes to the same thing, or throws a clean INVALID_ARGUMENT on `session` that echoes nothing.
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { decodeSession, type ValidSession } from "../../src/para/session-codec.js";
import { MAX_SESSION_BYTES } from "./session-shape.js";

export type Outcome = { ok: true; session: ValidSession } | { ok: false; error: ConnectError };

/** Decodes `input` and asserts the contract; returns what happened so properties can say more. */
export function decodeChecked(input: string, maxBytes = MAX_SESSION_BYTES): Outcome {
  let session: ValidSession;
  try {
    session = decodeSession(input, maxBytes);
  } catch (error) {
    // Never a TypeError, RangeError or SyntaxError: only the service's own error.
    expect(error).toBeInstanceOf(ConnectError);
    const e = error as ConnectError;
    expect(e.code).toBe(Code.InvalidArgument);
    const violations = e.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations);
    expect(violations.map((v) => v.field)).toEqual(["session"]);
    expectNoEcho([e.message, ...violations.map((v) => `${v.description} ${v.reason}`)], [input, decodedText(input)]);
    return { ok: false, error: e };
  }
  // The SDK only ever sees `canonical`: it must mean exactly what was validated.
  const again = decodeSession(session.canonical, maxBytes);
  expect(again).toEqual(session);
  expect(JSON.parse(Buffer.from(session.canonical, "base64").toString("utf8"))).toBeTypeOf("object");
  return { ok: true, session };
}

export function expectRejected(input: string): ConnectError {
  const outcome = decodeChecked(input);
  if (outcome.ok) throw new Error("expected the decoder to reject the session");
  return outcome.error;
}

/**
 * No 12-character fragment of anything sent appears in anything said back. Checked from the (short) message side:
 * a message contains a 12-character substring of the input iff one of its own 12-character windows is in the input.
 */
export function expectNoEcho(said: readonly string[], sent: readonly string[]): void {
  for (const text of said) {
    for (let i = 0; i + 12 <= text.length; i++) {
      const window = text.slice(i, i + 12);
      for (const s of sent) if (s.includes(window)) throw new Error(`echoed a 12-char fragment of the input: ${JSON.stringify(window)}`);
    }
  }
}

/** The session format's own key names: a message may name the field that is wrong (they are schema, not data). */
const SCHEMA_KEYS = /"(userId|sessionCookie|wallets|currentWalletIds|authInfo|authType|identifier|oAuthMethod|publicKey|address|externalWallets)"/g;

/** What the input would decode to (minus schema key names), so a message echoing a decoded value is caught too. */
function decodedText(input: string): string {
  return Buffer.from(input.trim(), "base64").toString("utf8").replace(SCHEMA_KEYS, '""');
}
