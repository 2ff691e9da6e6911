/**
 * The service's face of @getpara/server-sdk, re-exported from src/para/sdk/: the per-call instance adapter
 * (para-instance.ts), the process-wide signing worker (signing-worker-process.ts). Only src/para/sdk/ imports the
 * SDK, and only src/para/sdk/sdk-internals.ts relies on anything the SDK does not document.
 */
export {
  adaptParaInstance,
  constructionSendsRoundTrips,
  createParaInstance,
  type ParaInstance,
  type ParaSessionCheck,
  type ParaWallet,
  type PendingTransactionPoll,
  type PendingTransactionState,
  type SignOutcome,
} from "./sdk/para-instance.js";
export { resetSigningWorker, warmSigningWorker } from "./sdk/signing-worker-process.js";
