// A session in the exact shape `waitAndExportSession()` exports (docs/para-sdk.md §3.1), built locally so the decoder's
// property tests need no backend, plus the few helpers the mutation properties share.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Path = Array<string | number>;

/** The default SIGNER_MAX_SESSION_BYTES: the limit the decoder is called with in production. */
export const MAX_SESSION_BYTES = 64 * 1024;

export function validSessionDoc(): { [key: string]: Json } {
  return {
    authInfo: { auth: { email: "alice@example.com" }, authType: "email", identifier: "alice@example.com" },
    userId: "user-7c1f0a9e-hostile",
    wallets: {
      "w-evm-1": {
        id: "w-evm-1",
        type: "EVM",
        scheme: "DKLS",
        address: "0x1111111111111111111111111111111111111111",
        publicKey: `04${"ab".repeat(64)}`,
        signer: `SIGNER-SHARE-evm-${"q".repeat(200)}`,
        userId: "user-7c1f0a9e-hostile",
      },
      "w-sol-1": {
        id: "w-sol-1",
        type: "SOLANA",
        scheme: "ED25519",
        address: "So1aNaAddre55xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        publicKey: "cd".repeat(32),
        signer: `SIGNER-SHARE-sol-${"z".repeat(200)}`,
      },
    },
    currentWalletIds: { EVM: ["w-evm-1"], SOLANA: ["w-sol-1"] },
    sessionCookie: "capsule.sid.hostile-cookie-0123456789",
    externalWallets: {},
  };
}

export const b64 = (text: string | Uint8Array): string => Buffer.from(text).toString("base64");
export const encodeDoc = (doc: Json): string => b64(JSON.stringify(doc));

/** Every path into the document, containers and leaves alike (the root excluded). */
export function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [];
  const entries: Array<[string | number, Json]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** A deep copy with the value at `path` replaced (or removed when `replacement` is undefined). */
export function withValueAt(doc: Json, path: Path, replacement: Json | undefined): Json {
  const copy = structuredClone(doc);
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) {
    if (parent === null || typeof parent !== "object") return copy;
    parent = (parent as Record<string | number, Json>)[key] ?? null;
  }
  const last = path[path.length - 1];
  if (last === undefined || parent === null || typeof parent !== "object") return copy;
  const container = parent as Record<string | number, Json>;
  if (replacement === undefined) {
    if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
    else delete container[last];
  } else container[last] = replacement;
  return copy;
}
