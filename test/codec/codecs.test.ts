import { randomBytes } from "node:crypto";
import { brotliCompressSync, gzipSync, constants as zlibConstants } from "node:zlib";
import { describe, expect, it } from "vitest";
import zstd from "zstd-napi/binding.js";
import {
  brotliCodec,
  type Codec,
  CodecError,
  type CodecErrorReason,
  codecById,
  codecByName,
  codecNames,
  createZstdDictCodec,
  gzipCodec,
  sharedCodecNames,
  storeCodecs,
  ZSTD_DICT_CODEC_ID,
  zstdCodec,
} from "../../src/codec/index.js";
import { STREAM_A, trainTestDictionary } from "./support/dictionaries.js";
import { streamedFrames } from "./support/streamed-frames.js";

const KiB = 1024;

/** Asserts that `decode` throws a {@link CodecError} with the given reason. */
function expectRefusal(decode: () => unknown, reason: CodecErrorReason): void {
  expect(decode).toThrow(CodecError);
  expect(decode).toThrow(expect.objectContaining({ reason }));
}

/**
 * Asserts byte equality. `toEqual` on a 200 KiB Buffer compares element by element and takes ~0.4 s per call.
 */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual).toHaveLength(expected.length);
  expect(Buffer.compare(actual, expected), "contents differ").toBe(0);
}

/** About `bytes` bytes of session-like JSON: repeated keys, varied values. */
function jsonish(bytes: number): Buffer {
  const cart: unknown[] = [];
  let json = "";
  for (let i = 0; json.length < bytes; i++) {
    cart.push({
      sku: `SKU-${(i * 7919) % 100_000}`,
      qty: (i % 5) + 1,
      title: `Item ${i}`,
      promo: i % 3 === 0,
    });
    json = JSON.stringify({ userId: "u_8f3a9c2e", roles: ["admin", "editor"], cart });
  }
  return Buffer.from(json);
}

const sample = jsonish(KiB);
const random = randomBytes(200 * KiB);
const repetitive = Buffer.from("visited:/checkout;".repeat(12 * KiB)).subarray(0, 200 * KiB);
const inputs: ReadonlyArray<readonly [string, Uint8Array]> = [
  ["empty", new Uint8Array(0)],
  ["small", Buffer.from('{"userId":"ada"}')],
  ["1 KiB JSON-ish", sample],
  ["200 KiB random", random],
  ["200 KiB repetitive", repetitive],
];

// Garbage must be refused by every compressing codec; a fixed text keeps the test deterministic (random bytes
// could, with tiny probability, start a valid brotli stream).
const garbage = Buffer.from("this is not a compressed stream, only plain text pretending to be one");

// zstd-dict has no shared instance: this one holds a dictionary trained on other sessions (see dictionaries.ts).
const zstdDictDictionary = (await trainTestDictionary(STREAM_A)).dictionary;
const zstdDict = createZstdDictCodec([zstdDictDictionary]);
const everyCodec: readonly Codec[] = [...sharedCodecNames.map((name) => codecByName(name)), zstdDict];

/** The codecs that compress: each checks its framing, so malformed input is theirs to refuse. */
const compressingCodecs = everyCodec.filter((codec) => codec.name !== "none");

describe.each(everyCodec)("$name codec", (codec: Codec) => {
  it.each(inputs)("round-trips %s input", (_label, input) => {
    const compressed = codec.compress(input);
    // The cap is exactly the original size: the tightest cap that must still succeed.
    expectSameBytes(codec.decompress(compressed, input.length), input);
  });

  it("returns buffers it owns, not views of the caller's input", () => {
    const input = Buffer.from(sample);
    const compressed = codec.compress(input);
    const decompressed = codec.decompress(compressed, input.length);
    input.fill(0);
    compressed.fill(0);
    expectSameBytes(decompressed, sample);
  });

  it.each([
    ["1 KiB JSON-ish", sample],
    ["200 KiB random", random],
    ["200 KiB repetitive", repetitive],
  ])("accepts output exactly at maxBytes and refuses one byte more (%s)", (_label, input) => {
    const compressed = codec.compress(input);
    expect(codec.decompress(compressed, input.length)).toHaveLength(input.length);
    expectRefusal(() => codec.decompress(compressed, input.length - 1), "limit");
  });

  it("refuses any output under a cap of 0 but accepts empty output", () => {
    expectRefusal(() => codec.decompress(codec.compress(Buffer.from("x")), 0), "limit");
    expect(codec.decompress(codec.compress(new Uint8Array(0)), 0)).toHaveLength(0);
  });

  it.each([Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY])("rejects the nonsensical cap %s", (maxBytes) => {
    expect(() => codec.decompress(codec.compress(sample), maxBytes)).toThrow(RangeError);
  });
});

// The identity codec takes any bytes as data: garbage, truncated or extended payloads are just other payloads, so
// refusing malformed input is a compressing codec's job.
describe.each(compressingCodecs)("$name codec (compressing)", (codec: Codec) => {
  it("shrinks repetitive input", () => {
    expect(codec.compress(repetitive).length).toBeLessThan(repetitive.length / 10);
  });

  it("refuses garbage as malformed", () => {
    expectRefusal(() => codec.decompress(garbage, 64 * KiB), "malformed");
  });

  it("refuses empty input as malformed", () => {
    expectRefusal(() => codec.decompress(new Uint8Array(0), 64 * KiB), "malformed");
  });

  it("refuses truncated input as malformed", () => {
    const compressed = codec.compress(sample);
    for (const length of [1, 4, compressed.length >> 1, compressed.length - 1]) {
      expectRefusal(() => codec.decompress(compressed.subarray(0, length), 64 * KiB), "malformed");
    }
  });

  it("refuses trailing garbage as malformed", () => {
    const compressed = codec.compress(sample);
    for (const tail of [Buffer.from([0]), Buffer.alloc(8), Buffer.from("trailing garbage"), garbage]) {
      expectRefusal(() => codec.decompress(Buffer.concat([compressed, tail]), 64 * KiB), "malformed");
    }
  });

  it("refuses a corrupted body as malformed", () => {
    const compressed = Buffer.from(codec.compress(sample));
    // Flip bits in the middle of the stream; each codec's framing or checksum must notice.
    for (let i = compressed.length >> 2; i < (compressed.length * 3) >> 2; i++)
      compressed[i] = ~(compressed[i] ?? 0);
    expectRefusal(() => codec.decompress(compressed, 64 * KiB), "malformed");
  });
});

describe("none codec (identity)", () => {
  it("stores input unchanged", () => {
    expectSameBytes(codecByName("none").compress(repetitive), repetitive);
  });
});

describe("zstd specifics", () => {
  /** A zstd stream made with the streaming API, so its frames do not declare their content size. */
  const streamed = (...parts: Uint8Array[]) => streamedFrames(new zstd.CCtx(), ...parts);

  it("decodes frames that do not declare their size, in bounded chunks", () => {
    const stream = streamed(random);
    expect(zstd.getFrameContentSize(stream)).toBeNull();
    expectSameBytes(zstdCodec.decompress(stream, random.length), random);
    expectRefusal(() => zstdCodec.decompress(stream, random.length - 1), "limit");
  });

  it("decodes concatenated frames and applies the cap to their sum", () => {
    const stream = Buffer.concat([
      zstdCodec.compress(sample),
      streamed(repetitive),
      zstdCodec.compress(sample),
    ]);
    const expected = Buffer.concat([sample, repetitive, sample]);
    expectSameBytes(zstdCodec.decompress(stream, expected.length), expected);
    expectRefusal(() => zstdCodec.decompress(stream, expected.length - 1), "limit");
  });

  it("refuses a frame that declares more content than the cap before decoding it", () => {
    const declared = zstdCodec.compress(repetitive);
    expect(zstd.getFrameContentSize(declared)).toBe(repetitive.length);
    expectRefusal(() => zstdCodec.decompress(declared.subarray(0, 20), repetitive.length - 1), "limit");
  });

  it("refuses a truncated frame that does not declare its size", () => {
    const stream = streamed(repetitive);
    expectRefusal(() => zstdCodec.decompress(stream.subarray(0, stream.length - 1), 1024 * KiB), "malformed");
  });

  it("leaves the shared context usable after a refused frame", () => {
    expectRefusal(() => zstdCodec.decompress(streamed(repetitive), KiB), "limit");
    expectSameBytes(zstdCodec.decompress(zstdCodec.compress(sample), sample.length), sample);
  });
});

describe("gzip specifics", () => {
  it("decodes concatenated gzip members (valid RFC 1952)", () => {
    const stream = Buffer.concat([gzipSync(sample), gzipSync(repetitive)]);
    expectSameBytes(
      gzipCodec.decompress(stream, sample.length + repetitive.length),
      Buffer.concat([sample, repetitive]),
    );
  });
});

describe("brotli specifics", () => {
  const wideWindow = brotliCompressSync(sample, { params: { [zlibConstants.BROTLI_PARAM_LGWIN]: 24 } });

  it("refuses a stream declaring a 16 MiB window under a smaller cap", () => {
    expectRefusal(() => brotliCodec.decompress(wideWindow, 1024 * KiB), "limit");
  });

  it("accepts that stream when the cap covers the window", () => {
    expectSameBytes(brotliCodec.decompress(wideWindow, 16 * 1024 * KiB), sample);
  });

  it("decodes streams with every standard window size up to the default", () => {
    for (let lgwin = 10; lgwin <= 22; lgwin++) {
      const stream = brotliCompressSync(sample, { params: { [zlibConstants.BROTLI_PARAM_LGWIN]: lgwin } });
      expectSameBytes(brotliCodec.decompress(stream, sample.length), sample);
    }
  });
});

describe("codec registry", () => {
  it("gives every codec a unique id that fits the one-byte record header", () => {
    const ids = everyCodec.map((codec) => codec.id);
    expect(everyCodec.map((codec) => codec.name)).toEqual([...codecNames]);
    expect(new Set(ids).size).toBe(codecNames.length);
    for (const id of ids) expect(id >= 0 && id <= 255 && Number.isInteger(id)).toBe(true);
  });

  it.each(sharedCodecNames)("finds the shared %s codec by name and by id", (name) => {
    const codec = codecByName(name);
    expect(codec.name).toBe(name);
    expect(codecById(codec.id)).toBe(codec);
  });

  it("keeps the documented ids (stored records depend on them)", () => {
    expect(everyCodec.map((codec) => [codec.name, codec.id])).toEqual([
      ["none", 0],
      ["zstd", 1],
      ["gzip", 2],
      ["brotli", 3],
      ["zstd-dict", 4],
    ]);
    expect(ZSTD_DICT_CODEC_ID).toBe(4);
  });

  it("has no shared zstd-dict: it is built per store, from the store's dictionaries", () => {
    expect(() => codecByName("zstd-dict")).toThrow(RangeError);
    expect(codecById(ZSTD_DICT_CODEC_ID)).toBeUndefined();
  });

  it.each([5, 255, -1, 1.5, Number.NaN])("has no codec for id %s", (id) => {
    expect(codecById(id)).toBeUndefined();
    expect(storeCodecs({ codec: "zstd", zstdDictionaries: [] }).byId(id)).toBeUndefined();
  });
});

describe("a store's codecs", () => {
  it.each(sharedCodecNames)("write with the shared %s codec and read every codec", (name) => {
    const codecs = storeCodecs({ codec: name, zstdDictionaries: [] });
    expect(codecs.writer).toBe(codecByName(name));
    for (const shared of sharedCodecNames)
      expect(codecs.byId(codecByName(shared).id)).toBe(codecByName(shared));
    expect(codecs.byId(ZSTD_DICT_CODEC_ID)?.name).toBe("zstd-dict");
  });

  it("write with their own zstd-dict codec when configured so, and read it by id", () => {
    const codecs = storeCodecs({ codec: "zstd-dict", zstdDictionaries: [zstdDictDictionary] });
    expect(codecs.writer.name).toBe("zstd-dict");
    expect(codecs.byId(ZSTD_DICT_CODEC_ID)).toBe(codecs.writer);
    const payload = codecs.writer.compress(sample);
    expectSameBytes(
      codecs.byId(ZSTD_DICT_CODEC_ID)?.decompress(payload, sample.length) ?? Buffer.alloc(0),
      sample,
    );
  });

  it("still read zstd-dict records after moving to another codec, with the dictionaries still listed", () => {
    const before = storeCodecs({ codec: "zstd-dict", zstdDictionaries: [zstdDictDictionary] });
    const after = storeCodecs({ codec: "brotli", zstdDictionaries: [zstdDictDictionary] });
    const payload = before.writer.compress(sample);
    expectSameBytes(
      after.byId(ZSTD_DICT_CODEC_ID)?.decompress(payload, sample.length) ?? Buffer.alloc(0),
      sample,
    );
  });

  it("refuse zstd-dict records as naming a dictionary not loaded when they list none", () => {
    const payload = zstdDict.compress(sample);
    const none = storeCodecs({ codec: "zstd", zstdDictionaries: [] }).byId(ZSTD_DICT_CODEC_ID);
    expect(() => none?.decompress(payload, 64 * KiB)).toThrow(/does not load \(loaded: none\)/);
  });
});
