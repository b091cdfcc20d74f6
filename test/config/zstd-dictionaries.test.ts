import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_DICTIONARY_BYTES, ZstdDictionary } from "../../src/codec/index.js";
import { configSchema, loadConfig, parseConfig } from "../../src/config/index.js";
import { STREAM_A, STREAM_B, trainTestDictionary } from "../codec/support/dictionaries.js";
import { readUnreadable } from "../support/unreadable-file.js";
import { issueLines } from "./config-test-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "redisession-dictionaries-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `bytes` to `name` in the temp dir and returns its absolute path. */
function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const a = await trainTestDictionary(STREAM_A);
const b = await trainTestDictionary(STREAM_B);
const fileA = file("a.dict", a.bytes);
const fileB = file("b.dict", b.bytes);

const store = (fields: Record<string, unknown>) => ({ stores: { web: fields } });

describe("zstdDictionaries", () => {
  it("reads each file at load, in order, as checked dictionaries", () => {
    const config = parseConfig(store({ codec: "zstd-dict", zstdDictionaries: [fileB, fileA] }));
    const dictionaries = config.stores.web?.zstdDictionaries ?? [];
    expect(dictionaries.map((dictionary) => dictionary.id)).toEqual([b.dictionary.id, a.dictionary.id]);
    expect(dictionaries[0]).toBeInstanceOf(ZstdDictionary);
    expect(Object.isFrozen(dictionaries)).toBe(true);
  });

  it("defaults to none, and may be listed with any codec (to keep reading old zstd-dict records)", () => {
    expect(parseConfig(store({})).stores.web?.zstdDictionaries).toEqual([]);
    expect(
      parseConfig(store({ codec: "gzip", zstdDictionaries: [fileA] })).stores.web?.zstdDictionaries,
    ).toHaveLength(1);
  });

  it("never puts a dictionary's content into a rendering of the configuration", () => {
    const config = parseConfig(store({ codec: "zstd-dict", zstdDictionaries: [fileA] }));
    const json = JSON.stringify(config);
    // The end of a trained dictionary is raw content: fragments of the sessions it was trained on.
    expect(json).not.toContain(a.bytes.subarray(-32).toString("latin1"));
    expect(JSON.parse(json).stores.web.zstdDictionaries).toEqual([
      { id: a.dictionary.hexId, bytes: a.bytes.length },
    ]);
  });

  it("resolves relative paths against the configuration file's directory, not the working directory", () => {
    const sub = join(dir, "etc");
    mkdirSync(join(sub, "dicts"), { recursive: true });
    writeFileSync(join(sub, "dicts", "web.dict"), a.bytes);
    writeFileSync(
      join(sub, "redisession.yaml"),
      "stores:\n  web:\n    codec: zstd-dict\n    zstdDictionaries: [dicts/web.dict]\n",
    );
    const config = loadConfig({ path: join(sub, "redisession.yaml"), env: {} });
    expect(config.stores.web?.zstdDictionaries[0]?.id).toBe(a.dictionary.id);
  });

  it('is required with codec "zstd-dict"', () => {
    expect(issueLines(() => parseConfig(store({ codec: "zstd-dict" })))).toEqual([
      'stores.web.zstdDictionaries: must list at least one dictionary file when codec is "zstd-dict" (make one with `redisession train-dictionary`)',
    ]);
  });

  const missing = join(dir, "missing.dict");
  const textFile = file("config.json", '{"not": "a dictionary"}');
  const damaged = file("damaged.dict", Buffer.concat([a.bytes.subarray(0, 8), Buffer.alloc(300, 0xff)]));
  const huge = file("huge.dict", a.bytes);
  truncateSync(huge, MAX_DICTIONARY_BYTES + 1);

  it.each([
    [
      "a missing file",
      [missing],
      `stores.web.zstdDictionaries[0]: cannot read ${missing}: no such file (ENOENT)`,
    ],
    ["a directory", [dir], `stores.web.zstdDictionaries[0]: cannot read ${dir}: it is a directory (EISDIR)`],
    [
      "a file that is not a zstd dictionary",
      [fileA, textFile],
      `stores.web.zstdDictionaries[1]: ${textFile} is not a zstd dictionary (make one with \`redisession train-dictionary\` or \`zstd --train\`)`,
    ],
    [
      "a damaged dictionary",
      [damaged],
      `stores.web.zstdDictionaries[0]: ${damaged} is a damaged zstd dictionary (zstd cannot load it)`,
    ],
    [
      "a file over 1 MiB",
      [huge],
      `stores.web.zstdDictionaries[0]: ${huge} is ${MAX_DICTIONARY_BYTES + 1} bytes; a dictionary may have at most ${MAX_DICTIONARY_BYTES} bytes`,
    ],
    [
      "one dictionary twice (under two names)",
      [fileA, fileB, file("copy-of-a.dict", a.bytes)],
      `stores.web.zstdDictionaries[2]: is the same dictionary as entry 0 (id ${a.dictionary.hexId}); list each dictionary once`,
    ],
    ["an empty path", [""], "stores.web.zstdDictionaries[0]: must be the path of a zstd dictionary file"],
    ["a number", [7], "stores.web.zstdDictionaries[0]: must be the path of a zstd dictionary file"],
    ["not a list", fileA, "stores.web.zstdDictionaries: must be a list of zstd dictionary files"],
    [
      "more than 16 files",
      Array.from({ length: 17 }, () => fileA),
      "stores.web.zstdDictionaries: must list at most 16 dictionary files",
    ],
  ])("refuses %s, naming the field", (_label, zstdDictionaries, expected) => {
    expect(issueLines(() => parseConfig(store({ codec: "zstd-dict", zstdDictionaries })))).toEqual([
      expected,
    ]);
  });

  it.skipIf(process.platform === "win32")("refuses an unreadable file, naming the field", () => {
    const locked = file("locked.dict", a.bytes);
    const parse = () => parseConfig(store({ zstdDictionaries: [locked] }));
    expect(issueLines(() => readUnreadable(locked, parse))).toEqual([
      `stores.web.zstdDictionaries[0]: cannot read ${locked}: permission denied (EACCES)`,
    ]);
  });

  it("is not read while the schema parses: the schema keeps the paths, the files are read after validation", () => {
    const parsed = configSchema.parse(store({ codec: "zstd-dict", zstdDictionaries: [fileA, missing] }));
    expect(parsed.stores.web?.zstdDictionaries).toEqual([fileA, missing]);
  });

  it("names the file from the configuration in a loadConfig error", () => {
    const config = file("bad.yaml", `stores:\n  web:\n    zstdDictionaries: [${missing}]\n`);
    expect(() => loadConfig({ path: config, env: {} })).toThrow(
      `Invalid configuration in ${config}:\n  stores.web.zstdDictionaries[0]: cannot read ${missing}: no such file (ENOENT)`,
    );
  });
});
