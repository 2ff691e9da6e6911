import { base58Encode } from "../../src/encoding/base58.js";
import type { MintedSession } from "../../src/local-para/types.js";

/** Every secret-ish value of a minted session, including the signer shares inside it. */
export function secretsOf(m: MintedSession): string[] {
  const doc = JSON.parse(Buffer.from(m.session, "base64").toString()) as { wallets: Record<string, { signer?: string }> };
  return [
    m.session,
    m.sessionWithoutSigners,
    m.sessionCookie,
    m.verificationToken,
    m.userId,
    ...(m.email ? [m.email] : []),
    ...Object.values(doc.wallets).flatMap((w) => (w.signer ? [w.signer] : [])),
    ...m.wallets.flatMap((w) => [w.id, w.address, w.publicKey]),
  ];
}

/**
 * A value in the forms it could leak in (plain or base58, base64, base64url, hex), each cut to a 24-character
 * window: a fragment is enough to leak a secret.
 */
export function forms(value: string | Uint8Array): string[] {
  const bytes = Buffer.from(value);
  const all = [bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex"), typeof value === "string" ? value : base58Encode(value)];
  return all.filter((f) => f.length >= 12).map((f) => f.slice(0, 24));
}
