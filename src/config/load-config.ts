import { readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { ConfigError, type ConfigIssue } from "./config-error.js";
import { toConfigIssues } from "./config-issues.js";
import { type Config, configSchema } from "./config-schema.js";
import { readDictionaryFiles } from "./dictionary-files.js";
import { resolveFilePaths } from "./file-paths.js";

/** Environment variables as the loader reads them; `process.env` has this shape. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * The configuration file (`.yaml`, `.yml` or `.json`), relative to the working directory or absolute.
   *
   * @defaultValue the file named by the `REDISESSION_CONFIG` environment variable; without it, no file (every
   *   default)
   */
  path?: string | undefined;
  /**
   * The environment to read `REDISESSION_CONFIG` and `REDIS_URL` from. Tests pass their own record so that they
   * neither depend on nor change the real environment.
   *
   * @defaultValue `process.env`
   */
  env?: ConfigEnv | undefined;
}

const FILE_EXTENSIONS = [".yaml", ".yml", ".json"];

/**
 * Reads, validates and returns the service configuration. Call it once at start-up and pass the result on.
 *
 * The file is `options.path`, else the one named by `REDISESSION_CONFIG`, else none: one `default` connection to
 * `redis://127.0.0.1:6379` and one `default` store with every default. `REDIS_URL`, when set, overrides (or
 * creates) `redis.default.url`. Empty environment variables count as unset.
 *
 * @throws {ConfigError} listing every problem: the file cannot be read or parsed (naming the line), or a field is
 *   invalid (naming its path).
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const pathFromEnv = options.path === undefined ? nonEmpty(env.REDISESSION_CONFIG) : undefined;
  const path = options.path ?? pathFromEnv;
  if (path === undefined) return validate(undefined, env, undefined);
  const file = resolve(path);
  const source = pathFromEnv === undefined ? file : `${file} (named by REDISESSION_CONFIG)`;
  return validate(resolveFilePaths(readConfigFile(file, source), dirname(file)), env, source);
}

/**
 * Validates configuration that is already in memory, as {@link loadConfig} does after reading the file: for
 * embedding the service and for tests. `raw` has the file's shape (see `ConfigInput`); `undefined` or `null`
 * means an empty file. Does not modify `raw`.
 *
 * @param env Environment overrides to apply, as in {@link loadConfig}. Defaults to none (not `process.env`), so
 *   that configuration given in code is not changed behind the caller's back.
 * @throws {ConfigError} listing every invalid field by its path.
 */
export function parseConfig(raw: unknown, env: ConfigEnv = {}): Config {
  return validate(raw, env, undefined);
}

function validate(raw: unknown, env: ConfigEnv, source: string | undefined): Config {
  const { input, notes } = applyEnvOverrides(raw ?? {}, env);
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(toConfigIssues(result.error.issues, notes), { source });
  // Files are read only once every field is valid: parsing itself reads nothing.
  const read = readDictionaryFiles(result.data);
  if (read.issues !== undefined) throw new ConfigError(read.issues, { source });
  return read.config;
}

/**
 * Applies `REDIS_URL` before validation, so a bad value is reported like any bad field, with a note saying where
 * it came from. Copies what it changes rather than mutating the caller's object.
 */
function applyEnvOverrides(raw: unknown, env: ConfigEnv): { input: unknown; notes: Map<string, string> } {
  const url = nonEmpty(env.REDIS_URL);
  // Anything that is not a mapping is left alone: validation reports it, and there is nowhere to put the URL.
  if (url === undefined || !isMapping(raw)) return { input: raw, notes: new Map() };
  const redis = raw.redis === undefined ? {} : raw.redis;
  if (!isMapping(redis)) return { input: raw, notes: new Map() };
  const connection = Object.hasOwn(redis, "default") ? redis.default : {};
  if (!isMapping(connection)) return { input: raw, notes: new Map() };
  return {
    input: { ...raw, redis: { ...redis, default: { ...connection, url } } },
    notes: new Map([["redis.default.url", "set by the REDIS_URL environment variable"]]),
  };
}

/** Reads and parses a YAML or JSON file; every failure is a {@link ConfigError} naming the file. */
function readConfigFile(file: string, source: string): unknown {
  const fail = (issues: ConfigIssue[], cause?: unknown): never => {
    throw new ConfigError(issues, { source, cause });
  };
  const extension = extname(file).toLowerCase();
  if (!FILE_EXTENSIONS.includes(extension)) {
    fail([{ path: "", message: `unsupported file name: must end in ${FILE_EXTENSIONS.join(", ")}` }]);
  }
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    fail([{ path: "", message: `cannot read the file: ${describeFileError(error)}` }], error);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false, // the default would put a multi-line source excerpt into the message
    uniqueKeys: true,
    // The JSON schema makes a `.json` file really JSON: an unquoted `14d` is an error there, not a string.
    schema: extension === ".json" ? "json" : "core",
  });
  // Warnings (such as an unknown `!tag`) are errors too: they mean the file does not say what it seems to say.
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    fail(
      problems.map((problem) => {
        const { line, col } = lineCounter.linePos(problem.pos[0]);
        return { path: "", message: `line ${line}, column ${col}: ${problem.message}` };
      }),
    );
  }
  try {
    return document.toJS();
  } catch (error) {
    // e.g. an alias to an undefined anchor, or too many aliases (a "billion laughs" file)
    return fail([{ path: "", message: `cannot parse the file: ${errorMessage(error)}` }], error);
  }
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file (ENOENT)";
  if (code === "EACCES" || code === "EPERM") return `permission denied (${code})`;
  if (code === "EISDIR") return "it is a directory (EISDIR)";
  return errorMessage(error);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
