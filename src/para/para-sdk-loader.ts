/**
 * Loads @getpara/server-sdk (through para-sdk.ts) on first use rather than at import: when the SDK runs in SDK threads
 * (src/para/threads/), the main thread never loads it, and its memory (the SDK's module graph) is spent only in the
 * threads (docs/para-sdk.md §2 "SDK threads").
 */
type ParaSdkModule = typeof import("./para-sdk.js");

let loaded: ParaSdkModule | undefined;
let loading: Promise<ParaSdkModule> | undefined;

export function loadParaSdk(): Promise<ParaSdkModule> {
  loading ??= import("./para-sdk.js").then((module) => (loaded = module));
  return loading;
}

/** The SDK module if it has been loaded in this thread, else undefined (e.g. nothing to reset on shutdown). */
export function loadedParaSdk(): ParaSdkModule | undefined {
  return loaded;
}
