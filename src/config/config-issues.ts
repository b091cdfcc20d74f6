import type { z } from "zod";
import type { ConfigIssue } from "./config-error.js";
import { formatConfigPath } from "./config-error.js";
import { keysAllowedAt } from "./config-schema.js";

/**
 * Turns zod's issues into {@link ConfigIssue}s that name the offending field. Zod reports an unknown key on the
 * object that holds it and a bad record key on the record; both are moved onto the key itself, so that the path
 * always points at what the user has to change.
 *
 * @param notes Extra words for issues at a given formatted path, e.g. that the value came from `REDIS_URL`.
 */
export function toConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  notes: ReadonlyMap<string, string> = new Map(),
): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  const add = (path: readonly PropertyKey[], message: string) => {
    const formatted = formatConfigPath(path);
    const note = notes.get(formatted);
    const full = note === undefined ? message : `${message} (${note})`;
    // One value can break several rules with the same message (a URL with neither scheme nor host); say it once.
    if (!result.some((issue) => issue.path === formatted && issue.message === full)) {
      result.push({ path: formatted, message: full });
    }
  };
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const allowed = keysAllowedAt(issue.path);
      for (const key of issue.keys) add([...issue.path, key], unknownKeyMessage(key, allowed));
    } else if (issue.code === "invalid_key") {
      add(issue.path, issue.issues.map((inner) => inner.message).join("; "));
    } else {
      add(issue.path, issue.message);
    }
  }
  return result;
}

/** Suggests the allowed key the user probably meant: same letters ignoring case, `_` and `-` (`bucket_bits`). */
function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const loose = (name: string) => name.toLowerCase().replace(/[_-]/g, "");
  const meant = allowed.find((candidate) => loose(candidate) === loose(key));
  if (meant !== undefined) return `unknown key; did you mean "${meant}"?`;
  return allowed.length === 0 ? "unknown key" : `unknown key; expected one of ${allowed.join(", ")}`;
}
