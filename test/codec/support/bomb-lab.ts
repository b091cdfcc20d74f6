/**
 * The bomb lab: decompresses every hostile input once and measures how far each call raised peak RSS.
 *
 * Peak RSS (`maxRSS`) is a per-process high-water mark, so a measurement is only as good as the process's
 * history: an old peak above the current RSS (left by other test files, by building the inputs, by an earlier
 * case, or by memory the allocator or V8's background threads returned to the kernel just before a call, which
 * depends on how busy the machine is) shows up as phantom growth. So the lab runs in a fresh Node process that does
 * nothing else (`run-bomb-lab.ts`, spawned by `hostile-input.test.ts`), and where the kernel allows it (Linux 4.0
 * and later) resets the high-water mark to the current RSS right before each call: each call's peak is then its
 * own. The headroom each call started with is reported either way.
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { createGzip } from "node:zlib";
import zstdNapi from "zstd-napi";
import zstd from "zstd-napi/binding.js";
import {
  brotliCodec,
  CodecError,
  createZstdDictCodec,
  gzipCodec,
  zstdCodec,
} from "../../../src/codec/index.js";
import {
  brotliBomb,
  dictionaryPayload,
  GiB,
  handMadeZstdFrame,
  KiB,
  MiB,
  zlibBomb,
  zstdBomb,
} from "./bombs.js";
import { STREAM_A, sessionJson, trainTestDictionary } from "./dictionaries.js";

/** The cap every hostile input is decompressed under. */
export const CAP = 1 * MiB;
/** Allowed peak RSS growth while refusing one: the cap plus room for chunks, contexts and allocator slack. */
export const BUDGET_KIB = (CAP + 16 * MiB) / KiB;
interface LabCase {
  readonly input: Buffer;
  readonly decode: (input: Buffer) => unknown;
  /** Where the zstd frame starts in `input`: 4 for a `zstd-dict` payload (after its dictionary id). */
  readonly frameOffset?: number;
}

const cappedZstd = (input: Buffer) => zstdCodec.decompress(input, CAP);
const cappedGzip = (input: Buffer) => gzipCodec.decompress(input, CAP);
const cappedBrotli = (input: Buffer) => brotliCodec.decompress(input, CAP);

/**
 * Builds every input, all before the first call so that whatever the compressors use is spent before any
 * baseline; the real bombs are streamed into small buffers (see `bombs.ts`). Cases run in this order: `brotli`
 * comes late because of the headroom it leaves, and `naiveZstd` last because it raises the mark for good.
 */
async function buildCases() {
  // The dictionary codec's case is built like the store builds it; one small read before any baseline prepares
  // the dictionary's decompression context, so that its one-off cost is not counted against the first bomb.
  const { bytes: dictionary, dictionary: checked } = await trainTestDictionary(STREAM_A);
  const zstdDict = createZstdDictCodec([checked]);
  const [warmUp] = sessionJson(1, STREAM_A) as [Buffer];
  zstdDict.decompress(zstdDict.compress(warmUp), CAP);
  const cappedZstdDict = (input: Buffer) => zstdDict.decompress(input, CAP);
  const withDictionary = (frame: Buffer) => ({
    input: dictionaryPayload(checked.id, frame),
    decode: cappedZstdDict,
    frameOffset: 4,
  });
  return {
    // 18 bytes declaring 3 GiB: a decoder that trusts the header allocates 3 GiB up front.
    forgedZstd: {
      input: handMadeZstdFrame({ windowLog: 20, declaredSize: 3 * GiB, blocks: 1 }),
      decode: cappedZstd,
    },
    zstdDeclared: { input: zstdBomb(512 * MiB, { declareSize: true }), decode: cappedZstd },
    zstdUndeclared: { input: zstdBomb(512 * MiB, { declareSize: false }), decode: cappedZstd },
    // Hand-made rather than compressed: a compressor with an 8 MiB (or 128 MiB) window would itself touch that
    // much memory while building them, leaving the lab's high-water mark well above its RSS.
    zstdMaxWindow: { input: handMadeZstdFrame({ windowLog: 23, blocks: 512 }), decode: cappedZstd },
    zstdHugeWindow: { input: handMadeZstdFrame({ windowLog: 27, blocks: 32 }), decode: cappedZstd },
    // The same attacks on the dictionary codec: its frames go through the same bounded decoder.
    zstdDictForged: withDictionary(handMadeZstdFrame({ windowLog: 20, declaredSize: 3 * GiB, blocks: 1 })),
    zstdDictDeclared: withDictionary(zstdBomb(512 * MiB, { declareSize: true, dictionary })),
    zstdDictUndeclared: withDictionary(zstdBomb(512 * MiB, { declareSize: false, dictionary })),
    zstdDictMaxWindow: withDictionary(handMadeZstdFrame({ windowLog: 23, blocks: 512 })),
    gzip: { input: await zlibBomb(128 * MiB, createGzip({ level: 9 })), decode: cappedGzip },
    brotliWideWindow: { input: await brotliBomb(128 * MiB, 24), decode: cappedBrotli },
    brotli: { input: await brotliBomb(128 * MiB, 22), decode: cappedBrotli },
    // zstd-napi's own decompress() trusts the declared 64 MiB and fills a buffer that size: the proof that the
    // measurement can see a budget being blown.
    naiveZstd: {
      input: zstdBomb(64 * MiB, { declareSize: true }),
      decode: (input: Buffer) => zstdNapi.decompress(input),
    },
  } satisfies Record<string, LabCase>;
}

export type CaseName = keyof Awaited<ReturnType<typeof buildCases>>;

/** What a call threw, reduced to what survives JSON. */
export interface Thrown {
  readonly name: string;
  /** A {@link CodecError}'s reason; null for anything else. */
  readonly reason: string | null;
  readonly message: string;
}

/** Facts about the exact input decoded, so that the test can check each bomb is what it claims to be. */
export interface InputFacts {
  readonly bytes: number;
  /** zstd frames only: the content size the header declares (null if absent). */
  readonly zstdContentSize?: number | null;
  /** zstd frames only: the frame's length as zstd parses it. */
  readonly zstdFrameBytes?: number;
}

/** Current RSS and the process's high-water mark (`maxRSS`), in KiB. */
export interface RssSnapshot {
  readonly rssKiB: number;
  readonly maxRssKiB: number;
}

export interface CaseOutcome {
  /** Whether the high-water mark was reset to the current RSS right before the call (see {@link resetPeakRss}). */
  readonly peakReset: boolean;
  /** What the call threw (null if it returned). */
  readonly thrown: Thrown | null;
  readonly input: InputFacts;
  /** The baseline, taken right before the call. */
  readonly before: RssSnapshot;
  /**
   * `before.maxRssKiB - before.rssKiB`: how far the old high-water mark sat above current RSS (next to nothing
   * when {@link CaseOutcome.peakReset}).
   */
  readonly headroomKiB: number;
  /** `maxRSS` right after the call, in KiB. */
  readonly peakKiB: number;
  /**
   * Peak growth, in KiB: the new high-water mark above the current RSS before the call. Measuring from the
   * current RSS rather than the old high-water mark matters: growth below an old peak would not show in maxRSS
   * at all, and the test could not fail. From the current RSS, any growth shows (plus the headroom).
   */
  readonly growthKiB: number;
}

/** What `run-bomb-lab.ts` prints, as one JSON line. */
export interface LabReport {
  /** At the start of {@link runBombLab}, once modules are loaded. */
  readonly startup: RssSnapshot;
  /** Once every input is built, before the first call. */
  readonly built: RssSnapshot;
  /** In the order they ran. */
  readonly cases: Record<CaseName, CaseOutcome>;
}

function snapshot(): RssSnapshot {
  return { rssKiB: Math.round(process.memoryUsage.rss() / KiB), maxRssKiB: process.resourceUsage().maxRSS };
}

function describeThrown(error: unknown): Thrown {
  if (error instanceof CodecError) return { name: error.name, reason: error.reason, message: error.message };
  if (error instanceof Error) return { name: error.name, reason: null, message: error.message };
  return { name: typeof error, reason: null, message: String(error) };
}

const ZSTD_MAGIC = 0xfd2fb528;

function describeInput(input: Buffer, frameOffset: number): InputFacts {
  const frame = input.subarray(frameOffset);
  if (frame.length < 4 || frame.readUInt32LE(0) !== ZSTD_MAGIC) return { bytes: input.length };
  return {
    bytes: input.length,
    zstdContentSize: zstd.getFrameContentSize(frame),
    zstdFrameBytes: zstd.findFrameCompressedSize(frame),
  };
}

/**
 * Sets the process's high-water mark (`maxRSS`, VmHWM) to its current RSS (`5` to /proc/self/clear_refs, Linux 4.0
 * and later), so that the next peak is reached by what runs next. False where the kernel has no such reset.
 */
function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** Runs one case's decode once, recording what it threw and how far it raised the process's peak RSS. */
function measure({ input, decode, frameOffset = 0 }: LabCase): CaseOutcome {
  const facts = describeInput(input, frameOffset);
  const peakReset = resetPeakRss();
  const before = snapshot();
  let thrown: Thrown | null = null;
  try {
    decode(input);
  } catch (error) {
    thrown = describeThrown(error);
  }
  const peakKiB = process.resourceUsage().maxRSS;
  return {
    peakReset,
    thrown,
    input: facts,
    before,
    headroomKiB: before.maxRssKiB - before.rssKiB,
    peakKiB,
    growthKiB: peakKiB - before.rssKiB,
  };
}

/** Builds every input, then measures each case in order. */
export async function runBombLab(): Promise<LabReport> {
  const startup = snapshot();
  const labCases = await buildCases();
  const built = snapshot();
  const cases = {} as Record<CaseName, CaseOutcome>;
  for (const [name, labCase] of Object.entries(labCases) as [CaseName, LabCase][]) {
    cases[name] = measure(labCase);
  }
  return { startup, built, cases };
}
