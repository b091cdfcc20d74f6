/**
 * The measurements: h2load rounds (ceiling, GetSession, SaveSession, mix, batch), each checked against the
 * service's own call counters, and the paced latency rounds. Rounds alternate between the ceiling and the
 * RPCs, store after store, so that each ratio compares measurements taken seconds apart under the same
 * (shared, noisy) machine conditions.
 */
import { median, progress } from "../support/harness.js";
import { BATCH_GET, GET_SESSION, HEALTH_CHECK, rpcOf, SAVE_SESSION, type StoreFixtures } from "./fixtures.js";
import type { RequestBody } from "./grpc-frames.js";
import { type H2loadJob, runH2load } from "./h2load.js";
import { type PacedLatency, pacedLatency } from "./paced-latency.js";
import { assertAllOk, type CommandStat, probeDelta, type ServerProbe } from "./server-probe.js";
import {
  BATCH_STREAMS_PER_CONNECTION,
  CONNECTIONS,
  type Plan,
  STREAMS_PER_CONNECTION,
  type Timing,
} from "./workload.js";

/** One h2load measurement with what the server processes spent on it. */
export interface Measurement {
  readonly reqPerSec: number;
  /** CPU microseconds per OK call (warm-up included on both sides), service and Redis. */
  readonly serviceUsPerCall: number;
  readonly redisUsPerCall: number;
  /** Share of a core used during the run. */
  readonly serviceCores: number;
  readonly redisCores: number;
  /** For the mix: the share of GetSession among its requests. */
  readonly getShare?: number;
}

/** One round of the throughput phase for one store. */
export interface ThroughputRound {
  readonly ceiling: Measurement;
  readonly get: Measurement;
  readonly save: Measurement;
  readonly mix: Measurement;
}

/** What the phases need from the running service. */
export interface Target {
  readonly port: number;
  readonly probe: ServerProbe;
  readonly health: RequestBody;
}

const jobs = (path: string, bodies: readonly RequestBody[], streams = STREAMS_PER_CONNECTION): H2loadJob[] =>
  bodies.map((body) => ({ path, bodyFile: body.file, connections: 1, streams }));

/** The h2load jobs of each measurement (exported for the report's command lines). */
export function jobsOf(fixtures: StoreFixtures, health: RequestBody) {
  const saves = Array.from({ length: CONNECTIONS }, () => fixtures.saveBody);
  return {
    ceiling: jobs(
      HEALTH_CHECK,
      Array.from({ length: CONNECTIONS }, () => health),
    ),
    get: jobs(GET_SESSION, fixtures.getBodies),
    save: jobs(SAVE_SESSION, saves),
    // 80/20: the four GetSession connections plus one SaveSession connection of the same shape.
    mix: [...jobs(GET_SESSION, fixtures.getBodies), ...jobs(SAVE_SESSION, [fixtures.saveBody])],
    batch: jobs(BATCH_GET, fixtures.batchBodies, BATCH_STREAMS_PER_CONNECTION),
  };
}

/** Runs `h2loadJobs` at once and checks that the server answered every call of them OK. */
async function measure(
  target: Target,
  h2loadJobs: readonly H2loadJob[],
  timing: Timing,
): Promise<Measurement> {
  const before = await target.probe.snapshot();
  const run = await runH2load(target.port, h2loadJobs, timing);
  const delta = probeDelta(before, await target.probe.snapshot());
  const rpcs = [...new Set(h2loadJobs.map((job) => rpcOf(job.path)))];
  const inFlight = h2loadJobs.reduce((sum, job) => sum + job.connections * job.streams, 0);
  const ok = assertAllOk(delta, rpcs, run.succeeded, inFlight);
  const gets = run.results.filter((result) => result.job.path === GET_SESSION);
  const getRate = gets.reduce((sum, result) => sum + result.reqPerSec, 0);
  return {
    reqPerSec: run.reqPerSec,
    serviceUsPerCall: (delta.serviceCpuSeconds / ok) * 1e6,
    redisUsPerCall: (delta.redisCpuSeconds / ok) * 1e6,
    serviceCores: delta.serviceCores,
    redisCores: delta.redisCores,
    getShare: getRate / run.reqPerSec,
  };
}

const rate = (m: Measurement) => Math.round(m.reqPerSec).toLocaleString("en-US");

/**
 * `plan.rounds` rounds; in each, for every store in turn: ceiling, GetSession, SaveSession, mix. Redis' command
 * statistics are taken around each store's GetSession run (the last round's are kept).
 */
export async function throughputPhase(
  target: Target,
  stores: readonly StoreFixtures[],
  plan: Plan,
): Promise<{ rounds: Map<string, ThroughputRound[]>; getCommands: Map<string, CommandStat[]> }> {
  const rounds = new Map<string, ThroughputRound[]>(stores.map((store) => [store.variant.name, []]));
  const getCommands = new Map<string, CommandStat[]>();
  for (let round = 1; round <= plan.rounds; round++) {
    for (const store of stores) {
      const of = jobsOf(store, target.health);
      const ceiling = await measure(target, of.ceiling, plan.timing);
      await target.probe.resetCommandStats();
      const get = await measure(target, of.get, plan.timing);
      getCommands.set(store.variant.name, await target.probe.commandStats());
      const save = await measure(target, of.save, plan.timing);
      const mix = await measure(target, of.mix, plan.timing);
      rounds.get(store.variant.name)?.push({ ceiling, get, save, mix });
      progress(
        `round ${round}/${plan.rounds} ${store.variant.name}: Health.Check ${rate(ceiling)}, ` +
          `GetSession ${rate(get)}, SaveSession ${rate(save)}, mix ${rate(mix)} req/s`,
      );
    }
  }
  return { rounds, getCommands };
}

/** `plan.rounds` rounds of BatchGetSessions for every store in turn. */
export async function batchPhase(
  target: Target,
  stores: readonly StoreFixtures[],
  plan: Plan,
): Promise<Map<string, Measurement[]>> {
  const rounds = new Map<string, Measurement[]>(stores.map((store) => [store.variant.name, []]));
  for (let round = 1; round <= plan.rounds; round++) {
    for (const store of stores) {
      const batch = await measure(target, jobsOf(store, target.health).batch, plan.timing);
      rounds.get(store.variant.name)?.push(batch);
      progress(`batch round ${round}/${plan.rounds} ${store.variant.name}: ${rate(batch)} calls/s`);
    }
  }
  return rounds;
}

/** One paced latency round, of one RPC at one load. */
export interface LatencyMeasurement extends PacedLatency {
  /** Which load ({@link LatencyLoad.label}). */
  readonly load: string;
}

/** One paced load: a label for the tables and its rate for each store. */
export interface LatencyLoad {
  readonly label: string;
  readonly rate: (store: string) => number;
}

/** The store key under which the Health.Check floor is kept among the stores' latency rounds. */
export const HEALTH_FLOOR = "Health.Check";

/**
 * Paced latency, `plan.rounds` rounds: in each, for every load, the floor (Health.Check on four connections at
 * that load's rate, for loads whose rate is the same for every store), then GetSession of every store in turn
 * (its four bodies, one per connection). Keyed by store name, the floor under {@link HEALTH_FLOOR}.
 */
export async function latencyPhase(
  target: Target,
  stores: readonly StoreFixtures[],
  plan: Plan,
  loads: readonly LatencyLoad[],
  scratchDir: string,
): Promise<Map<string, LatencyMeasurement[]>> {
  const rounds = new Map<string, LatencyMeasurement[]>(
    [HEALTH_FLOOR, ...stores.map((store) => store.variant.name)].map((name) => [name, []]),
  );
  const timing = { warmUpSeconds: plan.latencyWarmUpSeconds, durationSeconds: plan.latencySeconds };
  const healthBodies = Array.from({ length: CONNECTIONS }, () => target.health);
  const paced = async (
    name: string,
    path: string,
    bodies: readonly RequestBody[],
    load: LatencyLoad,
    rate: number,
  ) => {
    await target.probe.settle();
    const result = await pacedLatency(target.port, target.probe, { path, bodies }, rate, timing, scratchDir);
    rounds.get(name)?.push({ ...result, load: load.label });
    return result;
  };
  for (let round = 1; round <= plan.rounds; round++) {
    for (const load of loads) {
      const rates = new Set(stores.map((store) => load.rate(store.variant.name)));
      const summary: string[] = [];
      if (rates.size === 1) {
        const floor = await paced(HEALTH_FLOOR, HEALTH_CHECK, healthBodies, load, [...rates][0] as number);
        summary.push(`Health.Check p99 ${floor.p99.toFixed(2)} ms`);
      }
      for (const store of stores) {
        const rate = load.rate(store.variant.name);
        const result = await paced(store.variant.name, GET_SESSION, store.getBodies, load, rate);
        summary.push(`${store.variant.name} p99 ${result.p99.toFixed(2)} ms`);
      }
      progress(`latency round ${round}/${plan.rounds}, ${load.label}: ${summary.join(", ")}`);
    }
  }
  return rounds;
}

/** The median of one figure over rounds. */
export function medianOf<T>(rounds: readonly T[], figure: (round: T) => number): number {
  return median(rounds.map(figure));
}
