/** Timing of single functions in a loop, for the standalone micro-benchmarks (bench/wire-codec.ts, bench/data-depth.ts). */

const ROUNDS = 7;
const ROUND_MS = 200;

/** Median µs per call of `run` over ROUNDS timed rounds of about ROUND_MS each, after a warm-up. */
export function measure(run: () => unknown): number {
  let sink = 0;
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < ROUND_MS) {
    if (run() !== undefined) sink++;
    calls++;
  }
  const perRound = Math.max(10, calls);
  const results: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) if (run() !== undefined) sink++;
    results.push(((performance.now() - t0) * 1000) / perRound);
  }
  if (sink < 0) console.log(sink);
  results.sort((a, b) => a - b);
  return results[Math.floor(ROUNDS / 2)] as number;
}

/** Prints `table`: the first `textColumns` columns left-aligned, the figures after them right-aligned. */
export function printTable(table: string[][], textColumns = 2): void {
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? "").length))) ?? [];
  for (const row of table) {
    const cells = row.map((cell, column) => {
      const width = widths[column] ?? 0;
      return column < textColumns ? cell.padEnd(width) : cell.padStart(width);
    });
    console.log(cells.join("  "));
  }
}
