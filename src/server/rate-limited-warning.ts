/** Least time between two lines of one {@link RateLimitedWarning}, in milliseconds. */
export const WARNING_INTERVAL_MS = 10_000;

/** Where a {@link RateLimitedWarning} writes. Structurally compatible with pino's logger. */
export interface WarningLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * A warning about an event that comes in floods (a connection refused at the cap, a handshake that timed out):
 * every occurrence is counted, and the log gets one line at most per interval, carrying how many occurrences it
 * stands for. A line per occurrence would let whoever causes the flood fill the disk and bury every other line.
 *
 * An occurrence while the interval is still running is only counted; the next line, once the interval is over,
 * says how many there were since the last one (`count`). The clock is injected so that tests move it, not wait.
 */
export class RateLimitedWarning {
  /** When the last line was logged (clock milliseconds); undefined before the first. */
  private loggedAt: number | undefined;
  /** Occurrences since the last line, the one about to be logged included. */
  private unlogged = 0;

  /**
   * @param message - the line's message, stable for log searches and alerts on logs.
   * @param fields - what every line carries besides `count` and `intervalSeconds` (the setting involved, say).
   */
  constructor(
    private readonly logger: WarningLogger,
    private readonly message: string,
    private readonly fields: Readonly<Record<string, string | number>>,
    private readonly clock: () => number = Date.now,
    private readonly intervalMs = WARNING_INTERVAL_MS,
  ) {}

  /** Counts one occurrence, and logs unless a line was logged less than an interval ago. Never throws. */
  occurred(): void {
    this.unlogged += 1;
    const now = this.clock();
    // A clock that went back (a test's, or a corrected system clock) must not silence the log for long.
    const within =
      this.loggedAt !== undefined && now >= this.loggedAt && now - this.loggedAt < this.intervalMs;
    if (within) return;
    try {
      this.logger.warn(
        { ...this.fields, count: this.unlogged, intervalSeconds: this.intervalMs / 1000 },
        this.message,
      );
    } catch {
      // A failing log must not turn a refused connection into a crash.
    }
    this.loggedAt = now;
    this.unlogged = 0;
  }
}
