import { isAbsolute, resolve } from "node:path";

/**
 * Every setting that names a file, as a path into the raw configuration: `*` stands for every key of a mapping
 * (each connection, each store), `[]` for every item of a list. Adding a file setting to the schema means adding
 * it here, so that it is read relative to the configuration file like the others.
 */
const FILE_SETTINGS: readonly (readonly string[])[] = [
  ["server", "tls", "certFile"],
  ["server", "tls", "keyFile"],
  ["server", "tls", "clientCaFile"],
  ["server", "auth", "tokenFile"],
  ["redis", "*", "tls", "caFile"],
  ["redis", "*", "tls", "certFile"],
  ["redis", "*", "tls", "keyFile"],
  ["stores", "*", "zstdDictionaries", "[]"],
];

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` with the file setting at `path` (and below) resolved against `baseDir`; copies what it changes. */
function resolveAt(value: unknown, path: readonly string[], baseDir: string): unknown {
  const [step, ...rest] = path;
  if (step === undefined) {
    return typeof value === "string" && value !== "" && !isAbsolute(value) ? resolve(baseDir, value) : value;
  }
  if (step === "[]")
    return Array.isArray(value) ? value.map((item) => resolveAt(item, rest, baseDir)) : value;
  if (!isMapping(value)) return value;
  const keys = step === "*" ? Object.keys(value) : Object.hasOwn(value, step) ? [step] : [];
  if (keys.length === 0) return value;
  // fromEntries, not assignment: a key named `__proto__` must stay a key (for validation to refuse it).
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      keys.includes(key) ? resolveAt(child, rest, baseDir) : child,
    ]),
  );
}

/**
 * Makes every relative file path in the raw configuration (TLS certificates and keys, the token file, zstd
 * dictionaries) relative to the configuration file's directory, as an operator reading the file expects — the
 * service's working directory is often `/`. Anything not shaped as expected is left for validation to report.
 */
export function resolveFilePaths(raw: unknown, baseDir: string): unknown {
  return FILE_SETTINGS.reduce((config, path) => resolveAt(config, path, baseDir), raw);
}
