import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { printTable, type Table } from "./table.js";

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
  /** The suite's tables for the console. */
  readonly tables: readonly Table[];
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

/** The targets as a table; a miss reads "NO". */
export function targetsTable(targets: readonly TargetCheck[]): Table {
  return {
    title: "Targets",
    header: ["measure", "target", "measured", "met"],
    rows: targets.map((t) => [t.name, t.target, t.measured, t.met ? "yes" : "NO"]),
  };
}

/**
 * Runs `suite` and prints its tables and targets when `moduleFile` (the suite's `import.meta.filename`) is the
 * script node was started with, so each suite also runs on its own: `node --import tsx bench/<suite>.ts [--quick]`.
 */
export async function runIfMain(suite: Suite, moduleFile: string): Promise<void> {
  if (process.argv[1] === undefined || resolve(process.argv[1]) !== moduleFile) return;
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
  const result = await suite({ quick: values.quick ?? false });
  for (const table of result.tables) printTable(table);
  if (result.targets.length > 0) printTable(targetsTable(result.targets));
}
