import type { TargetCheck } from "../support/suite.js";
import type { Table } from "../support/table.js";

/** What one connection scenario produced: a table, its figures and its targets. */
export interface ScenarioResult {
  readonly table: Table;
  readonly figures: Readonly<Record<string, unknown>>;
  readonly targets: readonly TargetCheck[];
}

/** Resolves with `promise`, or with "timed out" after `ms`: a scenario must end even when the server does not. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | "timed out"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timed out">((resolve) => {
    timer = setTimeout(() => resolve("timed out"), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Milliseconds as seconds with two decimals, or "-" for NaN. */
export function seconds(ms: number): string {
  return Number.isNaN(ms) ? "-" : (ms / 1000).toFixed(2);
}

/** What a call ended with: "OK" or its gRPC code, and how long it took. */
export async function outcome(call: Promise<unknown>): Promise<{ result: string; ms: number }> {
  const started = performance.now();
  try {
    await call;
    return { result: "OK", ms: performance.now() - started };
  } catch (error) {
    return { result: `code ${String((error as { code?: unknown }).code)}`, ms: performance.now() - started };
  }
}
