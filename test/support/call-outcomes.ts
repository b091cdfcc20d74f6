import { status } from "@grpc/grpc-js";
import { SessionServiceError } from "../../src/client/index.js";

/** How one call ended: its status code (`OK` on success). */
export interface CallOutcome {
  readonly code: status;
}

/**
 * How `call` ended. Success is `OK`; a rejection must be the client's one error class, else it is rethrown so that
 * a test never mistakes a crash for a status.
 */
export async function outcomeOf(call: () => Promise<unknown>): Promise<CallOutcome> {
  try {
    await call();
    return { code: status.OK };
  } catch (error) {
    if (!(error instanceof SessionServiceError)) throw error;
    return { code: error.code };
  }
}

/** Outcomes counted by status name, e.g. `{ OK: 120, UNAVAILABLE: 7 }`: readable in an assertion's diff. */
export function countCodes(outcomes: Iterable<{ readonly code: status }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { code } of outcomes) {
    const name = status[code] ?? `code ${code}`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** The status names in `counts` that are not in `allowed`. */
export function codesOutside(counts: Record<string, number>, allowed: readonly status[]): string[] {
  const names = new Set(allowed.map((code) => status[code]));
  return Object.keys(counts).filter((name) => !names.has(name));
}
