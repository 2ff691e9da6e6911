// Builds the exported session string byte-for-byte in the shape ParaServer.exportSession() produces (docs/para-sdk.md §3.1,
// §9): base64(JSON {authInfo, userId, wallets, currentWalletIds, sessionCookie, externalWallets}).
import type { Session, User } from "./store.js";
import type { MintedSession } from "./types.js";

function authInfo(user: User): Record<string, unknown> {
  const auth = user.authType === "email" ? { email: user.identifier } : { phone: user.identifier };
  return { auth, authType: user.authType, identifier: user.identifier };
}

function exportString(user: User, session: Session, withSigners: boolean): string {
  const wallets: Record<string, Record<string, unknown>> = {};
  const currentWalletIds: Record<string, string[]> = {};
  for (const w of user.wallets) {
    wallets[w.id] = {
      id: w.id,
      type: w.type,
      scheme: w.scheme,
      address: w.address,
      publicKey: w.publicKey,
      // exportSession({excludeSigners:true}) deletes the key entirely rather than nulling it.
      ...(withSigners ? { signer: w.clientShare } : {}),
      userId: user.id,
    };
    (currentWalletIds[w.type] ??= []).push(w.id);
  }
  const body = {
    authInfo: authInfo(user),
    userId: user.id,
    wallets,
    currentWalletIds,
    sessionCookie: session.cookie,
    externalWallets: {},
  };
  return Buffer.from(JSON.stringify(body)).toString("base64");
}

export function mintedSession(user: User, session: Session, excludeSigners: boolean): MintedSession {
  const withoutSigners = exportString(user, session, false);
  return {
    session: excludeSigners ? withoutSigners : exportString(user, session, true),
    sessionWithoutSigners: withoutSigners,
    verificationToken: session.verificationToken,
    userId: user.id,
    ...(user.email !== undefined ? { email: user.email } : {}),
    ...(user.phone !== undefined ? { phone: user.phone } : {}),
    apiKey: session.apiKey,
    sessionCookie: session.cookie,
    wallets: user.wallets.map((w) => ({ id: w.id, type: w.type, address: w.address, publicKey: w.publicKey })),
  };
}
