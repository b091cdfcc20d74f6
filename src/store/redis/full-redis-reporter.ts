/**
 * What a store does when Redis is out of memory and refuses its writes: count every refusal, and log it at most
 * once an interval.
 */

import type { BackendFullError } from "../errors.js";
import type { StoreObserver } from "../store-context.js";
import type { StoreLogger } from "../store-logger.js";

/** Least time between two "Redis is full" log lines of one store, in milliseconds. */
export const FULL_REDIS_LOG_INTERVAL_MS = 10_000;

/** The log message of a full Redis, stable for log searches and alerts on logs. */
export const FULL_REDIS_MESSAGE =
  "Redis is out of memory: the store's writes are refused until Redis has room";

/**
 * Reports the writes Redis refused because it is out of memory, for one store. Every refusal is counted
 * (`observer.backendFull`); the log gets one line at most per interval, carrying how many refusals it stands for,
 * never a stack trace: a full Redis refuses every write, and a line per call would flood the log with one fact.
 *
 * A refusal arriving while the interval is still running is only counted; the next line, once the interval is
 * over, says how many there were since the last one. The clock is injected so that tests move it, not wait.
 */
export class FullRedisReporter {
  /** When the last line was logged (clock milliseconds); undefined before the first. */
  private loggedAt: number | undefined;
  /** Refusals since the last line, the one about to be logged included. */
  private unlogged = 0;

  constructor(
    private readonly store: string,
    private readonly logger: StoreLogger,
    private readonly observer: StoreObserver,
    private readonly clock: () => number,
    private readonly intervalMs = FULL_REDIS_LOG_INTERVAL_MS,
  ) {}

  /** Reports one refusal. Never throws. */
  refused(error: BackendFullError): void {
    this.observer.backendFull?.(this.store);
    this.unlogged += 1;
    const now = this.clock();
    // A clock that went back (a test's, or a corrected system clock) must not silence the log for long.
    const within =
      this.loggedAt !== undefined && now >= this.loggedAt && now - this.loggedAt < this.intervalMs;
    if (within) return;
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    this.logger.warn(
      {
        store: this.store,
        refusals: this.unlogged,
        intervalSeconds: this.intervalMs / 1000,
        // Redis' own words (no key or data in them), e.g. "OOM command not allowed when used memory > 'maxmemory'."
        ...(cause !== undefined && { redisReply: cause }),
      },
      FULL_REDIS_MESSAGE,
    );
    this.loggedAt = now;
    this.unlogged = 0;
  }
}
