import cliProgress from "cli-progress";

/** Where progress goes: stderr, or a stand-in in tests. */
export interface ProgressStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
}

/** Shows how far a sweep of one store has got. */
export interface SweepProgress {
  /** `done` of `total` buckets swept. */
  update(done: number, total: number): void;
  /** Ends the display (a bar is cleared, so the summary line stands alone). Idempotent. */
  stop(): void;
}

/** Options of {@link createSweepProgress}. */
export interface SweepProgressOptions {
  /** Off a terminal: the least time between two progress lines, in milliseconds. Default: 10 s. */
  readonly intervalMs?: number;
  /** Milliseconds, for the interval. Default: `Date.now`. */
  readonly now?: () => number;
}

/** Off a terminal, a sweep shorter than this prints no progress at all. */
export const PROGRESS_LINE_INTERVAL_MS = 10_000;

/**
 * Progress of sweeping `total` buckets of `store`. On a terminal, a cli-progress bar redrawn in place. Elsewhere
 * (a log file, a pipe, a cron or Kubernetes job) a bar's carriage returns and escape codes would be noise, so a
 * plain line is written at most every {@link SweepProgressOptions.intervalMs}: a short sweep prints none, and a
 * long one still shows it is alive.
 */
export function createSweepProgress(
  store: string,
  total: number,
  stream: ProgressStream,
  options: SweepProgressOptions = {},
): SweepProgress {
  return stream.isTTY === true ? barProgress(store, total, stream) : lineProgress(store, stream, options);
}

function barProgress(store: string, total: number, stream: ProgressStream): SweepProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      // Store names cannot contain braces (see the configuration's name rule), so this stays a valid format.
      format: `${store} [{bar}] {percentage}% | {value}/{total} buckets | ETA {eta_formatted}`,
      barsize: 30,
      clearOnComplete: true,
      // No handler of its own for SIGINT: one would keep the process alive after Ctrl-C. Interrupting is safe,
      // since every bucket is swept atomically and a later sweep simply starts over.
      gracefulExit: false,
      hideCursor: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update(done, newTotal) {
      if (newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}

function lineProgress(store: string, stream: ProgressStream, options: SweepProgressOptions): SweepProgress {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? PROGRESS_LINE_INTERVAL_MS;
  let last = now();
  return {
    update(done, total) {
      if (done >= total || now() - last < interval) return;
      last = now();
      const percent = total === 0 ? 100 : Math.floor((100 * done) / total);
      stream.write(`${store}: swept ${done} of ${total} buckets (${percent}%)\n`);
    },
    stop() {},
  };
}
