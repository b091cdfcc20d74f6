import { pino } from "pino";

/** The service's structured JSON logger. */
export type Logger = pino.Logger;

/**
 * Fields that may carry a session key or a credential, wherever they appear in a log record. Keys are bearer
 * secrets: whoever reads one from a log can take over the session.
 */
const REDACTED_PATHS = ["key", "keys", "*.key", "*.keys", "authorization", "*.authorization", "url", "*.url"];

/** A pino logger writing JSON lines to `destination` (default stdout). */
export function createLogger(
  options: { level?: string; destination?: NodeJS.WritableStream | pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      name: "redisession",
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
