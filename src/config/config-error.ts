/** One problem found in the configuration. */
export interface ConfigIssue {
  /**
   * Where the problem is, as a path into the configuration file, e.g. `stores.default.bucketBits`. Names that
   * contain characters other than letters, digits, `_` and `-` are quoted: `stores["eu.web"].prefix`. Empty when
   * the problem concerns the file as a whole (it cannot be read or parsed, or is not a mapping).
   */
  readonly path: string;
  /** What is wrong, phrased to follow the path: `must be an integer from 1 to 24`. */
  readonly message: string;
}

/** Where the configuration came from, for the first line of a {@link ConfigError} message. */
export interface ConfigErrorOptions {
  /** The file the configuration was read from, if any, e.g. `/etc/redisession.yaml`. */
  source?: string | undefined;
  /** The underlying error, e.g. the file system error for an unreadable file. */
  cause?: unknown;
}

/**
 * Thrown once, at start-up, when the configuration cannot be read or is invalid. It carries every issue found
 * rather than only the first, so a broken file can be fixed in one pass; its message lists them one per line:
 *
 * ```text
 * Invalid configuration in /etc/redisession.yaml:
 *   stores.default.bucketBits: must be an integer from 1 to 24
 *   stores.default.bucketbits: unknown key; did you mean "bucketBits"?
 * ```
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** Every problem found, in the order found. Never empty. */
  readonly issues: readonly ConfigIssue[];
  /** The file the configuration was read from, if any. */
  readonly source: string | undefined;

  constructor(issues: readonly ConfigIssue[], options: ConfigErrorOptions = {}) {
    const header =
      options.source === undefined ? "Invalid configuration:" : `Invalid configuration in ${options.source}:`;
    const lines = issues.map((issue) => `  ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`);
    super([header, ...lines].join("\n"), options.cause === undefined ? undefined : { cause: options.cause });
    this.issues = issues;
    this.source = options.source;
  }
}

// Keys that can be written after a dot without ambiguity. Connection and store names may contain dots, and
// `stores.eu.web.prefix` would read as a nested key, so anything else is quoted.
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Formats a path as used in {@link ConfigIssue.path}: `["stores", "default", "prefix"]` becomes
 * `stores.default.prefix`, `["stores", "eu.web", "prefix"]` becomes `stores["eu.web"].prefix`.
 */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (typeof segment === "string" && PLAIN_KEY.test(segment))
      text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}
