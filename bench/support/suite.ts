/** The shape every benchmark suite returns to `bench/run.ts`. */

/** One of the targets, as the suite measured it. */
export interface TargetCheck {
  /** What is measured, e.g. "GetSession / Health.Check req/s". */
  readonly name: string;
  /** The target, e.g. "≥ 0.8". */
  readonly target: string;
  /** The measured figure, e.g. "0.86". */
  readonly measured: string;
  readonly met: boolean;
}

/** What a suite produced. */
export interface SuiteResult {
  /** Markdown: the suite's tables, with a heading. */
  readonly markdown: string;
  /** Every figure, for bench/results/<suite>.json. */
  readonly figures: unknown;
  readonly targets: readonly TargetCheck[];
}

/** Options every suite takes. */
export interface SuiteOptions {
  /** Fewer rounds and smaller populations: a smoke run of the whole pipeline in about a minute. */
  readonly quick: boolean;
}

/** A benchmark suite. */
export type Suite = (options: SuiteOptions) => Promise<SuiteResult>;
