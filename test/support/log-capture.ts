import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/server/logger.js";

/** A logger whose JSON lines are kept in memory, to assert on what the server logged (and did not). */
export interface CapturedLog {
  readonly logger: Logger;
  /** Every line logged so far, as written. */
  text(): string;
  /** Every record logged so far, parsed. */
  records(): Record<string, unknown>[];
}

/** The service's own logger (same redaction), at `level`, writing into memory. */
export function captureLog(level = "info"): CapturedLog {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = createLogger({ level, destination });
  const text = () => chunks.join("");
  return {
    logger,
    text,
    records: () =>
      text()
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
