import { chmodSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** The conventional unprivileged user (`nobody`); only its number is used, so no passwd entry is needed. */
const NOBODY = 65534;

/**
 * Takes every permission off the file at `path` (mode 000) and runs `read` as a user that mode binds: the process's
 * own user, or, when that is root (as in CI, where CAP_DAC_OVERRIDE reads any mode), `nobody`, by switching the
 * effective user id for the duration of `read` (and back, even if it throws). The kernel then refuses the read with
 * EACCES, as it would refuse the service run by an ordinary user. `read` must be synchronous: nothing else in the
 * process may run while it is `nobody`. The file's directory is made searchable (by group and others: the effective
 * group stays root's), and the file is checked to be reachable first, so that only the file's own mode can refuse.
 */
export function readUnreadable<T>(path: string, read: () => T): T {
  chmodSync(path, 0o000);
  const { geteuid, seteuid } = process;
  if (geteuid?.() !== 0 || seteuid === undefined) return read();
  const dir = dirname(path);
  chmodSync(dir, statSync(dir).mode | 0o011);
  seteuid(NOBODY);
  try {
    statSync(path);
    const result = read();
    if (result instanceof Promise) throw new Error("readUnreadable: `read` must be synchronous");
    return result;
  } finally {
    seteuid(0);
  }
}
