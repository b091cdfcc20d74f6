/** Timing of single functions in a loop, for the micro-benchmarks (bench/wire-codec.ts, bench/data-depth.ts). */

const ROUND_MS = 200;

/** Median µs per call of `run` over `rounds` timed rounds of about ROUND_MS each, after a warm-up. */
export function measure(run: () => unknown, rounds = 7): number {
  let sink = 0;
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < ROUND_MS) {
    if (run() !== undefined) sink++;
    calls++;
  }
  const perRound = Math.max(10, calls);
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) if (run() !== undefined) sink++;
    results.push(((performance.now() - t0) * 1000) / perRound);
  }
  if (sink < 0) console.log(sink);
  results.sort((a, b) => a - b);
  return results[Math.floor(rounds / 2)] as number;
}
