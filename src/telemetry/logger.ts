import { pino, type Logger } from "pino";
import type { LogLevel } from "../config/config.js";

export type { Logger };

/**
 * Field paths that may hold secrets anywhere in a log object. Values are
 * replaced, never printed; callers should not log them in the first place.
 */
export const REDACTED_PATHS = [
  "session",
  "*.session",
  "sessionCookie",
  "*.sessionCookie",
  "signer",
  "*.signer",
  "share",
  "*.share",
  "token",
  "*.token",
  "jwt",
  "*.jwt",
  "apiKey",
  "*.apiKey",
  "secretApiKey",
  "*.secretApiKey",
  "message",
  "signature",
  "*.signature",
  "verificationToken",
  "*.verificationToken",
  "headers.authorization",
  "headers.cookie",
];

/** Structured JSON logs on stdout (or `destination`, for tests). */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "para-signer" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
