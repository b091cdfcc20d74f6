/**
 * The nesting-depth check of session data (`maxDataDepth`), which every save and every parsed read runs: a file of
 * its own so that its cost can be measured alone (`bench/data-depth.ts`).
 */

import type { JsonObject, JsonValue } from "../session.js";

/**
 * Whether `data` nests objects and lists deeper than `limit` levels, the data object itself being level 1
 * (`{"a": 1}` is 1 level deep, `{"a": [1]}` 2). The walk stops at the first container past the limit, so its
 * recursion is bounded by `limit` whatever the data holds, and it never looks inside strings or numbers: on a
 * typical session it costs well under a microsecond (bench/data-depth.ts).
 *
 * Containers are what JSON.stringify writes as `{…}` or `[…]`: arrays and objects. Objects are walked with `for…in`,
 * which also visits inherited enumerable properties: plain data has none (and one could only make the check
 * stricter than the JSON written), and checking `Object.hasOwn` for each key would double the walk's cost.
 */
export function nestsDeeperThan(data: JsonObject, limit: number): boolean {
  return limit < 1 || hasDeeperChild(data, limit - 1);
}

/** Whether a container holding children that may nest `levels` more levels holds one that nests deeper. */
function hasDeeperChild(container: JsonObject | JsonValue[], levels: number): boolean {
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) {
      if (isDeeper(container[i], levels)) return true;
    }
    return false;
  }
  for (const key in container) {
    if (isDeeper(container[key], levels)) return true;
  }
  return false;
}

/** Whether `value` nests deeper than `levels` levels of containers (a scalar nests none). */
function isDeeper(value: JsonValue | undefined, levels: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  return levels === 0 || hasDeeperChild(value, levels - 1);
}
