import { createRequire } from "node:module";
import { Environment, Para as ParaServer } from "@getpara/server-sdk";
import { describe, expect, test } from "vitest";

/**
 * The contract between src/para/para-sdk.ts and @getpara/server-sdk: every SDK member the adapter uses that is not
 * public API (docs/para-sdk.md §6, §7, §2.3), and the public ones whose shape it relies on. An SDK upgrade that
 * moves or renames one fails here, by name, instead of surfacing as INTERNAL on the first call. The instance is
 * built with `useStorageOverrides` (docs/para-sdk.md §0): the constructor then returns before any service, state
 * machine or request exists, so nothing talks to Para and no worker starts.
 */
const require = createRequire(import.meta.url);
const instance = new ParaServer(Environment.DEV, "dev_contract_check", { useStorageOverrides: true }) as unknown as Record<string, unknown>;
const member = (name: string) => instance[name] ?? (ParaServer.prototype as unknown as Record<string, unknown>)[name];

describe("@getpara/server-sdk internals the adapter relies on", () => {
  test.each([
    ["signMessageInner", "signing without the transaction-review flow (RSA keygen on the event loop, a popup)"],
    ["retrieveSessionCookie", "the session cookie for the transaction route"],
    ["touchSession", "Para's session check with its answer (who the cookie belongs to)"],
    ["fetchWallets", "Para's list of the user's wallets"],
    ["findWalletId", "the SDK's own wallet usability check"],
    ["importSession", "the session import"],
    ["keepSessionAlive", "session extension"],
    ["issueJwt", "JWT issuance"],
    ["onStatePhaseChange", "knowing when a pre-built instance has settled"],
  ])("ParaServer#%s is a function (%s)", (name) => {
    expect(typeof member(name), `${name} is missing: update src/para/para-sdk.ts for this SDK version`).toBe("function");
  });

  test("the API client is an axios instance the adapter can observe (ctx.client.baseRequest)", () => {
    const http = (instance["ctx"] as { client?: { baseRequest?: Record<string, unknown> } } | undefined)?.client?.baseRequest;
    expect(http, "ctx.client.baseRequest is missing: update src/para/para-sdk.ts").toBeDefined();
    expect(typeof (http?.["interceptors"] as { request?: { use?: unknown } })?.request?.use).toBe("function");
    expect(typeof (http?.["defaults"] as object | undefined)).toBe("object");
  });

  test("the platform utilities sign transactions (platformUtils.signTransaction)", () => {
    expect(typeof (instance["platformUtils"] as Record<string, unknown> | undefined)?.["signTransaction"]).toBe("function");
  });

  test("the process-wide signing worker module exports setupWorker and resetWorker", () => {
    const wrapper = require("@getpara/server-sdk/dist/cjs/workers/workerWrapper.js") as Record<string, unknown>;
    expect(typeof wrapper["setupWorker"]).toBe("function");
    expect(typeof wrapper["resetWorker"]).toBe("function");
  });

  test("the transaction route is reached through the platform utilities, with the argument order the adapter passes", () => {
    const signing = require("@getpara/server-sdk/dist/cjs/wallet/signing.js") as Record<string, unknown>;
    const signTransaction = signing["signTransaction"] as ((...args: unknown[]) => unknown) | undefined;
    expect(typeof signTransaction).toBe("function");
    // (ctx, userId, walletId, share, tx, chainId, sessionCookie, isDKLS)
    expect(signTransaction?.length).toBe(8);
  });

  test("the environments the config maps to exist", () => {
    for (const env of ["DEV", "SANDBOX", "BETA", "PROD"] as const) expect(Environment[env]).toBeDefined();
  });
});
