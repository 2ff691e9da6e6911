import type { ParaFailure } from "../para-errors.js";
import type { ParaInstance } from "../sdk/para-instance.js";
import type { InstanceOp } from "./sdk-thread-protocol.js";

/** The thread's answer to one operation, with the instance's last failed round trip then. */
export type OpAnswer = { ok: true; value: unknown; failure: ParaFailure | undefined } | { ok: false; error: Error; failure: ParaFailure | undefined };

/** Sends one operation of an instance to its thread; rejects only when the thread itself failed (UNAVAILABLE). */
export type SendOp = (
  op: InstanceOp | "settled",
  args: unknown[],
  extra: { signer?: string | undefined; signal?: AbortSignal | undefined },
) => Promise<OpAnswer>;

/**
 * Whose signing job is being sent, and the call's signal: set only while the gateway's job runs its synchronous
 * part, in which it calls the remote instance's `sign`/`signTransaction` (no AsyncLocalStorage: it would turn on
 * promise hooks for the whole main thread, docs/para-sdk.md §2.5).
 */
let signing: { signer: string | undefined; signal: AbortSignal | undefined } | undefined;

/**
 * The gateway's signing supervision when the SDK runs in threads: the real supervisor is in the instance's thread
 * (it must see that thread's signing worker crash, and which jobs ran alone there), so this only hands the job's
 * signer and signal to the remote instance's `sign`/`signTransaction`, which the job calls synchronously.
 */
export const threadedSigning = {
  run<T>(job: () => Promise<T>, signer?: string, signal?: AbortSignal): Promise<T> {
    signing = { signer, signal };
    try {
      return job();
    } finally {
      signing = undefined;
    }
  },
};

/**
 * A ParaInstance whose SDK instance lives in an SDK thread: each method is a message, answered with the result (or
 * the error, rebuilt) and the instance's last failed round trip, which is kept here so `lastFailure()` stays
 * synchronous. The instance stays in its thread for its whole call.
 */
export function remoteParaInstance(send: SendOp): ParaInstance {
  let lastFailure: ParaFailure | undefined;
  const call = async <T>(
    op: InstanceOp | "settled",
    args: unknown[],
    extra: { signer?: string | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<T> => {
    const answer = await send(op, args, extra);
    lastFailure = answer.failure;
    if (!answer.ok) throw answer.error;
    return answer.value as T;
  };
  return {
    lastFailure: () => lastFailure,
    settled: () => call("settled", []),
    importSession: (serialized) => call("importSession", [serialized]),
    checkSession: () => call("checkSession", []),
    fetchWallets: () => call("fetchWallets", []),
    keepSessionAlive: () => call("keepSessionAlive", []),
    issueJwt: () => call("issueJwt", []),
    exportSession: (options) => call("exportSession", [options]),
    assertWallet: (walletId) => call("assertWallet", [walletId]),
    sign: (walletId, messageBase64) => call("sign", [walletId, messageBase64], signing ?? {}),
    signTransaction: (walletId, transactionBase64, chainId) => call("signTransaction", [walletId, transactionBase64, chainId], signing ?? {}),
    pendingTransaction: (userId, pendingTransactionId, signal) => call("pendingTransaction", [userId, pendingTransactionId], { signal }),
  };
}
