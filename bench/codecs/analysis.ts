/**
 * What the size and timing figures mean for configuration: which `compressMinBytes` pays with zstd, and what
 * keeps zstd from a higher ratio on ~1 KB sessions. Sizes go through the store's own `encodePayload`, so the
 * "stored" figures include its rule of keeping a session plain when compression does not make it smaller.
 */
import { codecByName } from "../../src/codec/codec-registry.js";
import { MAX_DATA_DEPTH } from "../../src/config/config-schema.js";
import { encodeHeader } from "../../src/store/records/record.js";
import { encodePayload } from "../../src/store/records/session-payload.js";
import type { JsonObject } from "../../src/store/session.js";
import { sessions } from "./corpus.js";
import type { Cell, Tier } from "./measure.js";
import { MAX_SESSION_BYTES } from "./variants.js";

/** The header of a session as created: version 1, the store's default TTL, no creation time (no maxLifetime). */
const HEADER_BYTES = encodeHeader({
  expiresAt: 0,
  codecId: 0,
  version: 1,
  createdAt: undefined,
  idleTtl: undefined,
}).byteLength;

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Record bytes (header + payload) of `json` as a zstd store with no size threshold would write it. */
function zstdRecord(json: Buffer): { bytes: number; compressed: boolean } {
  const data = JSON.parse(json.toString("utf8")) as JsonObject;
  const encoded = encodePayload(data, {
    codec: codecByName("zstd"),
    compressMinBytes: 0,
    maxSessionBytes: MAX_SESSION_BYTES,
    maxDataDepth: MAX_DATA_DEPTH,
  });
  return { bytes: HEADER_BYTES + encoded.payload.length, compressed: encoded.codecId !== 0 };
}

export interface SizeSaving {
  readonly sessions: number;
  readonly meanJsonBytes: number;
  /** Mean record bytes (header + JSON) without compression. */
  readonly plainRecordBytes: number;
  readonly zstdRecordBytes: number;
  readonly savedBytes: number;
  /** Saved bytes ÷ plain record bytes. */
  readonly savedShare: number;
  /** Share of sessions that zstd made smaller (the others are stored plain after paying for the attempt). */
  readonly compressedShare: number;
}

function sizeSaving(inputs: readonly Buffer[]): SizeSaving {
  const records = inputs.map(zstdRecord);
  const plainRecordBytes = HEADER_BYTES + mean(inputs.map((input) => input.length));
  const zstdRecordBytes = mean(records.map((record) => record.bytes));
  return {
    sessions: inputs.length,
    meanJsonBytes: plainRecordBytes - HEADER_BYTES,
    plainRecordBytes,
    zstdRecordBytes,
    savedBytes: plainRecordBytes - zstdRecordBytes,
    savedShare: (plainRecordBytes - zstdRecordBytes) / plainRecordBytes,
    compressedShare: records.filter((record) => record.compressed).length / records.length,
  };
}

export interface TierThreshold extends SizeSaving {
  readonly tier: number;
  /** Extra CPU per write, zstd's compress minus none's copy. */
  readonly writeExtraUs: number;
  /** Extra CPU per read, zstd's decompress minus none's copy. */
  readonly readExtraUs: number;
}

/** Per tier: what zstd saves in stored record bytes and what it costs in CPU over storing plain. */
export function tierThresholds(
  tiers: readonly Tier[],
  cells: readonly Cell[],
  zstdLabel: string,
): TierThreshold[] {
  return tiers.map((tier) => {
    const cell = (label: string) => cells.find((c) => c.variant === label && c.tier === tier.bytes) as Cell;
    const none = cell("none");
    const zstd = cell(zstdLabel);
    return {
      tier: tier.bytes,
      ...sizeSaving(tier.inputs),
      writeExtraUs: zstd.compressUs - none.compressUs,
      readExtraUs: zstd.decompressUs - none.decompressUs,
    };
  });
}

export interface SweepBucket extends SizeSaving {
  /** JSON sizes in [from, to). */
  readonly from: number;
  readonly to: number;
}

/** Width of the size buckets of the sweep, in JSON bytes. */
const BUCKET_BYTES = 100;

/**
 * Sizes only (no timing) on sessions spread evenly from about 100 B to 1.5 KB, bucketed by JSON size: the tiers
 * are too coarse to say where between 200 B and 1 KB compression starts to pay.
 */
export function thresholdSweep(perStep: number): SweepBucket[] {
  const inputs: Buffer[] = [];
  // Another seed stream per step (2_000_000 + nominal size), so these are not the measured sessions again.
  for (let nominal = 120; nominal <= 1500; nominal += 20)
    inputs.push(...sessions(nominal, perStep, 2_000_000 + nominal));
  const buckets: SweepBucket[] = [];
  for (let from = 100; from < 1600; from += BUCKET_BYTES) {
    const members = inputs.filter((input) => input.length >= from && input.length < from + BUCKET_BYTES);
    if (members.length >= 10) buckets.push({ from, to: from + BUCKET_BYTES, ...sizeSaving(members) });
  }
  return buckets;
}

/**
 * The smallest bucket start from which every larger bucket saves at least `minShare` of the record: below it
 * zstd's savings are a few bytes, within the rounding of Redis's allocator (jemalloc size classes are 32–64 B
 * apart between 128 and 512 B).
 */
export function recommendedThreshold(buckets: readonly SweepBucket[], minShare: number): number | undefined {
  let threshold: number | undefined;
  for (let i = buckets.length - 1; i >= 0; i--) {
    const bucket = buckets[i] as SweepBucket;
    if (bucket.savedShare < minShare) break;
    threshold = bucket.from;
  }
  return threshold;
}

/**
 * Bytes of zstd framing in `frame` (RFC 8878 §3.1.1): magic number, frame header, 3 bytes per block header and the
 * optional checksum. Everything else is the compressed content itself.
 */
export function zstdFramingBytes(frame: Uint8Array): number {
  const descriptor = frame[4] ?? 0;
  const singleSegment = (descriptor >> 5) & 1;
  const contentSizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6] ?? 0;
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3] ?? 0;
  const checksumBytes = (descriptor >> 2) & 1 ? 4 : 0;
  let position = 4 + 1 + (singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes;
  let framing = position + checksumBytes;
  for (;;) {
    const header =
      (frame[position] ?? 0) | ((frame[position + 1] ?? 0) << 8) | ((frame[position + 2] ?? 0) << 16);
    const type = (header >> 1) & 3;
    // An RLE block (type 1) carries one byte whatever its declared size.
    position += 3 + (type === 1 ? 1 : header >> 3);
    framing += 3;
    if (header & 1 || position >= frame.length) return framing;
  }
}

export interface Limits {
  readonly tier: number;
  readonly meanJsonBytes: number;
  readonly zstdBytes: number;
  readonly ratio: number;
  /** Mean framing bytes per zstd frame. */
  readonly framingBytes: number;
  /** The same sessions with an empty CSRF token. */
  readonly withoutTokenJsonBytes: number;
  readonly withoutTokenZstdBytes: number;
  /** Compressed bytes the 43-character token accounts for. */
  readonly tokenCostBytes: number;
  /** JSON ÷ compressed content without the token and without framing: the best per-record zstd could do here. */
  readonly ratioWithoutTokenOrFraming: number;
  /** Payload a 2.5× ratio would need. */
  readonly payloadForTarget: number;
}

/** Why zstd stops where it does on `tier`'s sessions. */
export function limits(tier: Tier, target: number): Limits {
  const zstd = codecByName("zstd");
  const frames = tier.inputs.map((input) => zstd.compress(input));
  const withoutToken = tier.inputs.map((input) => {
    const data = JSON.parse(input.toString("utf8")) as JsonObject;
    data.csrfToken = "";
    return Buffer.from(JSON.stringify(data), "utf8");
  });
  const withoutTokenFrames = withoutToken.map((input) => zstd.compress(input));
  const meanJsonBytes = mean(tier.inputs.map((input) => input.length));
  const zstdBytes = mean(frames.map((frame) => frame.length));
  const withoutTokenJsonBytes = mean(withoutToken.map((input) => input.length));
  const withoutTokenZstdBytes = mean(withoutTokenFrames.map((frame) => frame.length));
  const withoutTokenFraming = mean(withoutTokenFrames.map(zstdFramingBytes));
  return {
    tier: tier.bytes,
    meanJsonBytes,
    zstdBytes,
    ratio: meanJsonBytes / zstdBytes,
    framingBytes: mean(frames.map(zstdFramingBytes)),
    withoutTokenJsonBytes,
    withoutTokenZstdBytes,
    tokenCostBytes: zstdBytes - withoutTokenZstdBytes,
    ratioWithoutTokenOrFraming: withoutTokenJsonBytes / (withoutTokenZstdBytes - withoutTokenFraming),
    payloadForTarget: meanJsonBytes / target,
  };
}
