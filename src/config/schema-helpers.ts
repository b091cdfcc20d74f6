import { z } from "zod";

/** An integer field; one message for every way it can be wrong, so the reader sees the whole rule at once. */
export function integer(min: number, max?: number) {
  const message =
    max === undefined ? `must be an integer of at least ${min}` : `must be an integer from ${min} to ${max}`;
  const schema = z.int({ error: message }).min(min, message);
  return max === undefined ? schema : schema.max(max, message);
}

/** Objects reject unknown keys: a typo such as `bucketbits` must fail loudly instead of silently using a default. */
export function strictMapping<Shape extends z.core.$ZodShape>(shape: Shape) {
  const message = `must be a mapping with the keys ${Object.keys(shape).join(", ")}`;
  return z.strictObject(shape, { error: (issue) => (issue.code === "invalid_type" ? message : undefined) });
}

/**
 * Where a file's path is given: non-empty. Files are read when the server starts, not when the config is parsed.
 * A relative path is read from the configuration file's directory (see `file-paths.ts`).
 */
export function filePath(what: string) {
  return z.string({ error: `must be the path of ${what}` }).min(1, `must be the path of ${what}`);
}
