import { readFileSync } from "node:fs";

/**
 * Open files the server needs besides its client connections: Node's own (about 30 at start), the listeners,
 * Redis connections, metrics scrapes, with room to spare.
 */
export const RESERVED_FILES = 100;

/**
 * The process's soft limit of open files (`ulimit -n`) as Linux reports it in `/proc/self/limits`; undefined when
 * it is unlimited or cannot be read (another system).
 */
export function openFileLimit(
  readLimits: () => string = () => readFileSync("/proc/self/limits", "utf8"),
): number | undefined {
  let limits: string;
  try {
    limits = readLimits();
  } catch {
    return undefined;
  }
  // "Max open files            1024                 524288               files"
  const soft = /^Max open files\s+(\d+)\s/m.exec(limits)?.[1];
  return soft === undefined ? undefined : Number(soft);
}

/**
 * A start-up warning when `server.maxConnections` leaves fewer than {@link RESERVED_FILES} of the open-file limit
 * for the rest of the process: the cap would then never be reached, and a flood of connections would exhaust the
 * files instead (new connections failing, Redis connections too). Undefined when the cap fits, or the limit
 * (see {@link openFileLimit}) is unknown.
 */
export function connectionLimitWarning(
  maxConnections: number,
  limit: number | undefined,
): string | undefined {
  if (limit === undefined || maxConnections + RESERVED_FILES <= limit) return undefined;
  return (
    `server.maxConnections (${maxConnections}) leaves fewer than ${RESERVED_FILES} of the process's ` +
    `${limit} open files for Redis and the rest: lower it, or raise the limit (ulimit -n)`
  );
}
