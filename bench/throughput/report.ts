/**
 * The suite's tables, figures and targets from the rounds. Every figure is the median over rounds; every
 * ratio is the median of per-round ratios, each of two measurements taken back to back in that round.
 */
import type { SuiteResult, TargetCheck } from "../support/suite.js";
import type { Table } from "../support/table.js";
import type { LatencyMeasurement, Measurement, ThroughputRound } from "./phases.js";
import { HEALTH_FLOOR, medianOf } from "./phases.js";
import type { CommandStat, StoredSize } from "./server-probe.js";
import { BATCH_KEYS, HALF_CEILING, HALF_OWN, LIGHT, type Plan, type StoreVariant } from "./workload.js";

/** The issue's targets. */
export const TARGETS = { getRatio: 0.8, p99Ms: 2, batchSessionsPerSec: 150_000 } as const;

/** Share of a paced rate a run must achieve to count as keeping up with it. */
const MIN_ACHIEVED_SHARE = 0.98;

/** Everything the phases produced. */
export interface RunFigures {
  readonly plan: Plan;
  readonly variants: readonly StoreVariant[];
  readonly sizes: ReadonlyMap<string, StoredSize>;
  readonly throughput: ReadonlyMap<string, readonly ThroughputRound[]>;
  readonly getCommands: ReadonlyMap<string, readonly CommandStat[]>;
  /** Paced rate of the issue's load: half the median ceiling. */
  readonly latencyRate: number;
  /** Paced latency rounds by store name, the Health.Check floor under {@link HEALTH_FLOOR}. */
  readonly latency: ReadonlyMap<string, readonly LatencyMeasurement[]>;
  readonly batch: ReadonlyMap<string, readonly Measurement[]>;
  /** Exact h2load command lines of one store, by measurement. */
  readonly commandLines: Readonly<Record<string, readonly string[]>>;
}

const int = (value: number) => Math.round(value).toLocaleString("en-US");
const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
const ratioOf = (rounds: readonly ThroughputRound[], pick: (round: ThroughputRound) => Measurement) =>
  medianOf(rounds, (round) => pick(round).reqPerSec / round.ceiling.reqPerSec);

function rowsOf<T>(figures: RunFigures, source: ReadonlyMap<string, readonly T[]>) {
  return figures.variants.map((variant) => ({ variant, rounds: source.get(variant.name) ?? [] }));
}

function throughputTable(figures: RunFigures): Table {
  const rows = rowsOf(figures, figures.throughput).map(({ variant, rounds }) => {
    const rateOf = (pick: (round: ThroughputRound) => Measurement) =>
      medianOf(rounds, (r) => pick(r).reqPerSec);
    return [
      variant.name,
      int(rateOf((r) => r.ceiling)),
      int(rateOf((r) => r.get)),
      fixed(ratioOf(rounds, (r) => r.get)),
      int(rateOf((r) => r.save)),
      fixed(ratioOf(rounds, (r) => r.save)),
      int(rateOf((r) => r.mix)),
      fixed(ratioOf(rounds, (r) => r.mix)),
      `${fixed(
        medianOf(rounds, (r) => (r.mix.getShare ?? 0) * 100),
        0,
      )}%`,
    ];
  });
  return {
    title: "requests per second (h2load, 4 × 32 streams)",
    header: [
      "store",
      "Health.Check req/s",
      "GetSession req/s",
      "× ceiling",
      "SaveSession req/s",
      "× ceiling",
      "80/20 mix req/s",
      "× ceiling",
      "mix: Get share",
    ],
    rows,
  };
}

function cpuTable(figures: RunFigures): Table {
  const rows: (string | number)[][] = [];
  for (const { variant, rounds } of rowsOf(figures, figures.throughput)) {
    const picks: [string, (round: ThroughputRound) => Measurement][] = [
      ["Health.Check", (r) => r.ceiling],
      ["GetSession", (r) => r.get],
      ["SaveSession", (r) => r.save],
    ];
    for (const [rpc, pick] of picks) {
      rows.push([
        variant.name,
        rpc,
        fixed(
          medianOf(rounds, (r) => pick(r).serviceUsPerCall),
          1,
        ),
        fixed(
          medianOf(rounds, (r) => pick(r).redisUsPerCall),
          1,
        ),
        fixed(medianOf(rounds, (r) => pick(r).serviceCores)),
        fixed(medianOf(rounds, (r) => pick(r).redisCores)),
      ]);
    }
  }
  return {
    title: "server CPU per call",
    header: ["store", "RPC", "service CPU µs/call", "Redis CPU µs/call", "service cores", "Redis cores"],
    rows,
  };
}

function latencyTable(figures: RunFigures): Table {
  const rows: (string | number)[][] = [];
  const sources = [
    { name: HEALTH_FLOOR, label: "Health.Check (floor)" },
    ...figures.variants.map((variant) => ({ name: variant.name, label: `${variant.name} GetSession` })),
  ];
  for (const { name, label } of sources) {
    const all = figures.latency.get(name) ?? [];
    for (const load of [LIGHT, HALF_OWN, HALF_CEILING]) {
      const rounds = all.filter((round) => round.load === load);
      if (rounds.length === 0) continue;
      rows.push([
        label,
        load,
        int(medianOf(rounds, (r) => r.targetRate)),
        int(medianOf(rounds, (r) => r.achievedRate)),
        fixed(medianOf(rounds, (r) => r.p50)),
        fixed(medianOf(rounds, (r) => r.p99)),
        fixed(medianOf(rounds, (r) => r.p999)),
        fixed(Math.max(...rounds.map((r) => r.max))),
        fixed(medianOf(rounds, (r) => r.serviceCores)),
      ]);
    }
  }
  return {
    title: "latency at fixed rates (h2load paced, every call logged)",
    header: [
      "RPC",
      "load",
      "calls/s",
      "achieved",
      "p50 ms",
      "p99 ms",
      "p99.9 ms",
      "max ms (all rounds)",
      "service cores",
    ],
    rows,
  };
}

function batchTable(figures: RunFigures): Table {
  const rows = rowsOf(figures, figures.batch).map(({ variant, rounds }) => [
    variant.name,
    int(medianOf(rounds, (r) => r.reqPerSec)),
    int(medianOf(rounds, (r) => r.reqPerSec * BATCH_KEYS)),
    fixed(
      medianOf(rounds, (r) => r.serviceUsPerCall / BATCH_KEYS),
      1,
    ),
    fixed(
      medianOf(rounds, (r) => r.redisUsPerCall / BATCH_KEYS),
      1,
    ),
  ]);
  return {
    title: `BatchGetSessions, ${BATCH_KEYS} keys per call`,
    header: ["store", "calls/s", "sessions/s", "service CPU µs/session", "Redis CPU µs/session"],
    rows,
  };
}

function commandsTable(figures: RunFigures): Table {
  const rows: (string | number)[][] = [];
  for (const variant of figures.variants) {
    // CONFIG RESETSTAT and INFO are the suite's own.
    const stats = (figures.getCommands.get(variant.name) ?? []).filter(
      (stat) => !/^(config|info)/.test(stat.command),
    );
    for (const stat of stats.slice(0, 3)) {
      rows.push([variant.name, stat.command, int(stat.calls), fixed(stat.usecPerCall)]);
    }
  }
  return {
    title: "Redis commands during GetSession (last round)",
    header: ["store", "command", "calls", "µs/call (inside Redis)"],
    rows,
  };
}

function storesTable(figures: RunFigures): Table {
  const rows = figures.variants.map((variant) => {
    const size = figures.sizes.get(variant.name);
    return [
      variant.name,
      variant.strategy,
      variant.codec,
      size === undefined ? "n/a" : int(size.jsonBytes),
      size === undefined ? "n/a" : `${int(size.payloadBytes)} (${size.codecs.join(", ")})`,
    ];
  });
  return {
    title: "stores",
    header: ["store", "strategy", "codec", "JSON bytes", "stored payload bytes (as)"],
    rows,
  };
}

function targetChecks(figures: RunFigures): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const { variant, rounds } of rowsOf(figures, figures.throughput)) {
    const ratio = ratioOf(rounds, (r) => r.get);
    checks.push({
      name: `GetSession / Health.Check req/s (${variant.name})`,
      target: `≥ ${TARGETS.getRatio}`,
      measured: fixed(ratio),
      met: ratio >= TARGETS.getRatio,
    });
  }
  for (const { variant, rounds: all } of rowsOf(figures, figures.latency)) {
    const rounds = all.filter((round) => round.load === HALF_CEILING);
    const p99 = medianOf(rounds, (r) => r.p99);
    // A service that cannot keep up with the rate is not meeting the target, whatever its latency says.
    const achieved = medianOf(rounds, (r) => r.achievedRate / r.targetRate);
    const behind = achieved < MIN_ACHIEVED_SHARE;
    checks.push({
      name: `GetSession p99 at half the ceiling's rate (${variant.name})`,
      target: `≤ ${TARGETS.p99Ms} ms`,
      measured: `${fixed(p99)} ms${behind ? `, only ${fixed(achieved * 100, 0)}% of the rate achieved` : ""}`,
      met: p99 <= TARGETS.p99Ms && !behind,
    });
  }
  for (const { variant, rounds } of rowsOf(figures, figures.batch)) {
    const perSec = medianOf(rounds, (r) => r.reqPerSec * BATCH_KEYS);
    checks.push({
      name: `BatchGetSessions sessions/s, ${BATCH_KEYS} keys per call (${variant.name})`,
      target: `≥ ${int(TARGETS.batchSessionsPerSec)}`,
      measured: int(perSec),
      met: perSec >= TARGETS.batchSessionsPerSec,
    });
  }
  return checks;
}

/** The suite's result. */
export function buildReport(figures: RunFigures): SuiteResult {
  return {
    tables: [
      storesTable(figures),
      throughputTable(figures),
      cpuTable(figures),
      latencyTable(figures),
      batchTable(figures),
      commandsTable(figures),
    ],
    figures: {
      plan: figures.plan,
      latencyRate: figures.latencyRate,
      sizes: Object.fromEntries(figures.sizes),
      throughput: Object.fromEntries(figures.throughput),
      latency: Object.fromEntries(figures.latency),
      batch: Object.fromEntries(figures.batch),
      getCommands: Object.fromEntries(figures.getCommands),
      commandLines: figures.commandLines,
    },
    targets: targetChecks(figures),
  };
}
