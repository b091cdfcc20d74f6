import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { readUnreadable } from "../support/unreadable-file.js";
import { configErrorOf } from "./config-test-helpers.js";

let dir = "";
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "redisession-config-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `text` to a file named `name` in the temp dir and returns its absolute path. */
function writeFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const fullYaml = `# every field, as documented
redis:
  default:
    url: redis://127.0.0.1:6379
    connectTimeoutMs: 2000
  cache:
    url: rediss://:secret@cache.internal:6380/2
    connectTimeoutMs: 500
    maxPendingCommands: 2000
stores:
  default: {}
  web:
    redis: cache
    strategy: string
    prefix: "w:"
    bucketBits: 12
    codec: gzip
    compressMinBytes: 1024
    defaultTtl: 2h
    maxTtl: 1w
    maxLifetime: 30d
    maxSessionBytes: 65536
    maxDataDepth: 20
    logKeyErrors: true
    requestIdTtl: 5m
`;

const expectedWeb = {
  name: "web",
  redis: "cache",
  strategy: "string",
  prefix: "w:",
  bucketBits: 12,
  codec: "gzip",
  compressMinBytes: 1024,
  defaultTtl: 7200,
  maxTtl: 604_800,
  maxLifetime: 2_592_000,
  maxSessionBytes: 65_536,
  maxDataDepth: 20,
  logKeyErrors: true,
  zstdDictionaries: [],
  requestIdTtl: 300,
};

describe("loadConfig", () => {
  it("uses every default when there is no file", () => {
    const config = loadConfig({ env: {} });
    expect(config.redis).toEqual({
      default: {
        name: "default",
        url: "redis://127.0.0.1:6379",
        connectTimeoutMs: 2000,
        maxPendingCommands: 10_000,
      },
    });
    expect(Object.keys(config.stores)).toEqual(["default"]);
    expect(config.stores.default?.prefix).toBe("default:");
  });

  it.each([".yaml", ".yml", ".YAML"])("reads a full %s file", (extension) => {
    const config = loadConfig({ path: writeFile(`full${extension}`, fullYaml), env: {} });
    expect(config.stores.web).toEqual(expectedWeb);
    expect(config.stores.default?.defaultTtl).toBe(1_209_600);
    expect(config.redis.cache).toEqual({
      name: "cache",
      url: "rediss://:secret@cache.internal:6380/2",
      connectTimeoutMs: 500,
      maxPendingCommands: 2000,
    });
  });

  it("reads a full JSON file", () => {
    const json = {
      redis: { cache: { url: "rediss://:secret@cache.internal:6380/2", connectTimeoutMs: 500 } },
      stores: {
        web: { ...expectedWeb, name: undefined, defaultTtl: "2h", maxTtl: "1w", maxLifetime: 2_592_000 },
      },
    };
    const config = loadConfig({ path: writeFile("full.json", JSON.stringify(json, null, 2)), env: {} });
    expect(config.stores.web).toEqual(expectedWeb);
    expect(Object.keys(config.redis)).toEqual(["cache"]);
  });

  it("treats an empty file as one with every default", () => {
    expect(loadConfig({ path: writeFile("empty.yaml", "# nothing yet\n"), env: {} })).toEqual(
      loadConfig({ env: {} }),
    );
  });

  it("resolves a relative path against the working directory", () => {
    const file = writeFile("relative.yaml", "stores: { rel: {} }\n");
    const config = loadConfig({ path: path.relative(process.cwd(), file), env: {} });
    expect(Object.keys(config.stores)).toEqual(["rel"]);
  });

  it("reads the file named by REDISESSION_CONFIG", () => {
    const file = writeFile("from-env.yaml", "stores: { envstore: {} }\n");
    expect(Object.keys(loadConfig({ env: { REDISESSION_CONFIG: file } }).stores)).toEqual(["envstore"]);
  });

  it("prefers an explicit path over REDISESSION_CONFIG, and ignores an empty REDISESSION_CONFIG", () => {
    const named = writeFile("named.yaml", "stores: { named: {} }\n");
    const explicit = writeFile("explicit.yaml", "stores: { explicit: {} }\n");
    expect(Object.keys(loadConfig({ path: explicit, env: { REDISESSION_CONFIG: named } }).stores)).toEqual([
      "explicit",
    ]);
    expect(Object.keys(loadConfig({ env: { REDISESSION_CONFIG: "" } }).stores)).toEqual(["default"]);
  });

  it("applies REDIS_URL on top of the file", () => {
    const file = writeFile("with-url.yaml", "redis:\n  default:\n    url: redis://file:6379\n");
    expect(loadConfig({ path: file, env: { REDIS_URL: "redis://env:6379" } }).redis.default?.url).toBe(
      "redis://env:6379",
    );
  });

  it("names the file and the field when a field is invalid", () => {
    const file = writeFile("bad-field.yaml", "stores:\n  default:\n    bucketBits: 30\n");
    const error = configErrorOf(() => loadConfig({ path: file, env: {} }));
    expect(error.source).toBe(file);
    expect(error.message).toBe(
      `Invalid configuration in ${file}:\n  stores.default.bucketBits: must be an integer from 1 to 24`,
    );
  });

  it("says when REDISESSION_CONFIG named the file", () => {
    const file = writeFile("bad-from-env.yaml", "stores: { default: { codec: lz4 } }\n");
    const error = configErrorOf(() => loadConfig({ env: { REDISESSION_CONFIG: file } }));
    expect(error.message.split("\n")[0]).toBe(
      `Invalid configuration in ${file} (named by REDISESSION_CONFIG):`,
    );
  });
});

describe("loadConfig file errors", () => {
  it("names a missing file", () => {
    const file = path.join(dir, "missing.yaml");
    const error = configErrorOf(() => loadConfig({ path: file, env: {} }));
    expect(error.source).toBe(file);
    expect(error.issues).toEqual([{ path: "", message: "cannot read the file: no such file (ENOENT)" }]);
    expect(error.message).toBe(
      `Invalid configuration in ${file}:\n  cannot read the file: no such file (ENOENT)`,
    );
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
  });

  it("names a missing file given by REDISESSION_CONFIG", () => {
    const file = path.join(dir, "missing-from-env.yml");
    const error = configErrorOf(() => loadConfig({ env: { REDISESSION_CONFIG: file } }));
    expect(error.message).toContain(`${file} (named by REDISESSION_CONFIG)`);
    expect(error.issues[0]?.message).toContain("ENOENT");
  });

  it("reports a directory as unreadable", () => {
    const sub = path.join(dir, "conf.d.yaml");
    fs.mkdirSync(sub);
    expect(configErrorOf(() => loadConfig({ path: sub, env: {} })).issues).toEqual([
      { path: "", message: "cannot read the file: it is a directory (EISDIR)" },
    ]);
  });

  // Windows has no file mode that refuses a read.
  it.skipIf(process.platform === "win32")("reports a file it may not read", () => {
    const file = writeFile("secret.yaml", "stores: {}\n");
    const error = configErrorOf(() => readUnreadable(file, () => loadConfig({ path: file, env: {} })));
    expect(error.issues[0]?.message).toBe("cannot read the file: permission denied (EACCES)");
  });

  it.each(["config.toml", "config", "config.yaml.bak"])("refuses the file name %s", (name) => {
    const file = writeFile(name, "stores: {}\n");
    const error = configErrorOf(() => loadConfig({ path: file, env: {} }));
    expect(error.source).toBe(file);
    expect(error.issues).toEqual([
      { path: "", message: "unsupported file name: must end in .yaml, .yml, .json" },
    ]);
  });

  it.each([
    ["duplicate.yaml", "stores:\n  a: {}\n  a: {}\n", "line 3, column 3: Map keys must be unique"],
    ["unclosed.yaml", "stores: { a: {}\nredis: {}\n", "line 2, column"],
    [
      "bad-indent.yml",
      "stores:\n  a:\n    bucketBits: 4\n   codec: gzip\n",
      "line 4, column 1: All mapping items must start at the same column",
    ],
    ["two-docs.yaml", "stores: {}\n---\nredis: {}\n", "line 2, column 1: Source contains multiple documents"],
    ["tag.yaml", "stores: !custom {}\n", "line 1, column 9: Unresolved tag: !custom"],
    [
      "unquoted.json",
      '{\n  "stores": {\n    "a": { "defaultTtl": 14d }\n  }\n}\n',
      'line 3, column 26: Unresolved plain scalar "14d"',
    ],
    ["truncated.json", '{\n  "stores": {\n', "line 3, column 1:"],
    ["alias.yaml", "a: *nowhere\n", "cannot parse the file: Unresolved alias"],
  ])("reports the line of a parse error in %s", (name, text, expected) => {
    const file = writeFile(name, text);
    const error = configErrorOf(() => loadConfig({ path: file, env: {} }));
    expect(error.source).toBe(file);
    expect(error.message.split("\n")[0]).toBe(`Invalid configuration in ${file}:`);
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.issues[0]?.path).toBe("");
    expect(error.issues[0]?.message).toContain(expected);
  });
});
