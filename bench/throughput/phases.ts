/**
 * The measurements: h2load rounds (ceiling, GetSession, SaveSession, mix, batch), each checked against the
 * service's own call counters, and the open-loop latency rounds. Rounds alternate between the ceiling and the
 * RPCs, store after store, so that each ratio compares measurements taken seconds apart under the same
 * (shared, noisy) machine conditions.
 */
import { median, progress } from "../support/harness.js";
import { BATCH_GET, GET_SESSION, HEALTH_CHECK, rpcOf, SAVE_SESSION, type StoreFixtures } from "./fixtures.js";
import type { RequestBody } from "./grpc-frames.js";
import { type H2loadJob, runH2load } from "./h2load.js";
import { type LatencyRound, OpenLoopClients, openLoop } from "./latency.js";
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

/** A latency round with the service's CPU share during it. */
export interface LatencyMeasurement extends LatencyRound {
  /** Which load ({@link LatencyLoad.label}). */
  readonly load: string;
  readonly serviceCores: number;
}

/** One open-loop load: a label for the tables and its rate for each store. */
export interface LatencyLoad {
  readonly label: string;
  readonly rate: (store: string) => number;
}

/** Deadline of each latency call: an overloaded round fails calls after 1 s instead of queueing for minutes. */
const LATENCY_TIMEOUT_MS = 1_000;

/**
 * Open-loop GetSession latency over `CONNECTIONS` connections, cycling through every session of the store: one
 * unrecorded warm-up per store, then `plan.rounds` recorded rounds of every load, stores and loads in turn.
 */
export async function latencyPhase(
  target: Target,
  stores: readonly StoreFixtures[],
  plan: Plan,
  loads: readonly LatencyLoad[],
): Promise<Map<string, LatencyMeasurement[]>> {
  const clients = await OpenLoopClients.open(target.port, CONNECTIONS);
  const rounds = new Map<string, LatencyMeasurement[]>(stores.map((store) => [store.variant.name, []]));
  const options = (store: StoreFixtures, rate: number, seconds: number) => ({
    path: GET_SESSION,
    messages: store.latencyMessages,
    rate,
    seconds,
    timeoutMs: LATENCY_TIMEOUT_MS,
  });
  try {
    for (const store of stores) {
      const rate = Math.min(...loads.map((load) => load.rate(store.variant.name)));
      await openLoop(clients, options(store, rate, plan.latencyWarmUpSeconds));
    }
    for (let round = 1; round <= plan.rounds; round++) {
      for (const store of stores) {
        for (const load of loads) {
          const rate = load.rate(store.variant.name);
          await target.probe.settle();
          const before = await target.probe.snapshot();
          const result = await openLoop(clients, options(store, rate, plan.latencySeconds));
          const { serviceCores } = probeDelta(before, await target.probe.snapshot());
          rounds.get(store.variant.name)?.push({ ...result, load: load.label, serviceCores });
          progress(
            `latency round ${round}/${plan.rounds} ${store.variant.name}, ${load.label} (${Math.round(rate)}/s): ` +
              `p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, p99.9 ${result.p999.toFixed(2)} ms` +
              (result.errors > 0 ? `, ${result.errors} errors` : ""),
          );
        }
      }
    }
  } finally {
    clients.close();
  }
  return rounds;
}

/** The median of one figure over rounds. */
export function medianOf<T>(rounds: readonly T[], figure: (round: T) => number): number {
  return median(rounds.map(figure));
}
