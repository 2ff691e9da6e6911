import { format } from "node:util";
import type { Logger } from "pino";

/**
 * The Para SDK writes to `console` on its own (in DEV it dumps its state,
 * sessions included) and cannot be told not to. The service itself never
 * uses `console`, so every console call in this process is routed to the
 * logger at debug level, with anything that could be a secret masked.
 */
export function installConsoleGuard(logger: Logger): () => void {
  const original = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug, trace: console.trace };
  const forward = (...args: unknown[]) => {
    if (logger.isLevelEnabled("debug")) logger.debug({ source: "console" }, redactText(format(...args)));
  };
  console.log = console.info = console.warn = console.error = console.debug = console.trace = forward;
  return () => Object.assign(console, original);
}

/**
 * Masks what could be a secret in free text: long base64/hex/JWT-like runs
 * (sessions, shares, cookies, tokens, keys, signatures, addresses), email
 * addresses and phone-like digit runs.
 */
export function redactText(text: string): string {
  return text
    .replace(/[^\s"'`<>(){}[\],:;|]+@[^\s"'`<>(){}[\],:;|]+/g, "[redacted]")
    .replace(/[A-Za-z0-9+/=_.~-]{12,}/g, "[redacted]")
    .replace(/\+?\d[\d\s-]{6,}\d/g, "[redacted]");
}
