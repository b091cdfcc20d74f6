/**
 * Codec suite: stored size, compress and decompress time of every codec setting (zstd-dict with dictionaries
 * trained on other sessions included) on a deterministic corpus of session JSON from ~200 B to ~16 KB; which
 * `compressMinBytes` pays with zstd; the ~1 KB zstd ratio target.
 *
 * Run: node --import tsx bench/codecs.ts [--quick]   (or npm run bench -- --only codecs)
 * Needs no Redis: codecs are pure CPU; the zstd-dict rows need the `zstd` tool. Pieces live in bench/codecs/.
 */
import { limits, recommendedThreshold, thresholdSweep, tierThresholds } from "./codecs/analysis.js";
import { sessions, TIERS } from "./codecs/corpus.js";
import { dictionaryVariant, trainDictionaries } from "./codecs/dictionary.js";
import { measure, type Tier } from "./codecs/measure.js";
import { MIN_SAVED_SHARE, report, TARGET_RATIO, TARGET_TIER } from "./codecs/report.js";
import { assertShippedLevels, variants } from "./codecs/variants.js";
import { progress } from "./support/harness.js";
import { runIfMain, type Suite } from "./support/suite.js";

export const run: Suite = async ({ quick }) => {
  const started = performance.now();
  // Several hundred sessions per tier, so the means cover many shapes and every tier has ten timed chunks.
  const sessionsPerTier = quick ? 60 : 500;
  const rounds = quick ? 2 : 7;
  progress(`codecs: corpus of ${sessionsPerTier} sessions per tier`);
  const tiers: Tier[] = TIERS.map((bytes) => ({ bytes, inputs: sessions(bytes, sessionsPerTier) }));
  assertShippedLevels(tiers.flatMap(({ inputs }) => inputs.slice(0, 3)));

  // Trained on other sessions of every tier (stream 1_000_000 + tier), never on the measured ones.
  const dictionaries = await trainDictionaries(
    TIERS.flatMap((bytes) => sessions(bytes, quick ? 60 : 200, 1_000_000 + bytes)),
  );
  for (const { dictionary } of dictionaries) {
    progress(`codecs: trained dictionary ${dictionary.hexId} of ${dictionary.byteLength} bytes`);
  }
  const rows = [...variants(), ...dictionaries.map(dictionaryVariant)];

  const cells = measure(rows, tiers, rounds);
  const shippedZstd = rows.find((row) => row.family === "zstd" && row.shipped)?.label ?? "zstd 3";
  const thresholds = tierThresholds(tiers, cells, shippedZstd);
  const sweep = thresholdSweep(quick ? 5 : 20);
  const threshold = recommendedThreshold(sweep, MIN_SAVED_SHARE);
  const targetTier = tiers.find(({ bytes }) => bytes === TARGET_TIER) as Tier;
  const limit = limits(targetTier, TARGET_RATIO);
  const elapsedSeconds = (performance.now() - started) / 1000;

  const figures = {
    sessionsPerTier,
    rounds,
    dictionaries: dictionaries.map(({ maxBytes, dictionary }) => ({
      maxBytes,
      id: dictionary.hexId,
      bytes: dictionary.byteLength,
    })),
    cells,
    thresholds,
    sweep,
    recommendedThreshold: threshold ?? null,
    limits: limit,
    elapsedSeconds,
  };
  return report({
    rows,
    tiers,
    cells,
    thresholds,
    sweep,
    threshold,
    limit,
    rounds,
    elapsedSeconds,
    shippedZstd,
    figures,
  });
};

await runIfMain(run, import.meta.filename);
