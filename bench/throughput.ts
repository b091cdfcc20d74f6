/**
 * Throughput and latency of the service against its own ceiling: h2load drives the same server's
 * `grpc.health.v1.Health/Check` (no Redis, no store code: what grpc-js on this machine can do) and then
 * GetSession, SaveSession, an 80/20 mix and BatchGetSessions with the same load shape; h2load paced at fixed
 * rates (half the ceiling's among them) measures the latency of every call. Every store strategy and codec is
 * covered.
 *
 * Run: `node --import tsx bench/throughput.ts [--quick]` (or through `npm run bench`). Needs `h2load`
 * (apt-get install nghttp2-client) and `redis-server`.
 *
 * Profiling: `BENCH_SERVICE_CPU_PROFILE=<dir>` writes a CPU profile of the service's whole run into `<dir>`;
 * `BENCH_SERVICE_NODE_OPTIONS` is appended to the service's NODE_OPTIONS (see `throughput/service-profile.ts`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchRedis, median, progress, type ServiceProcess, startService } from "./support/harness.js";
import { runIfMain, type Suite } from "./support/suite.js";
import { healthBody, type StoreFixtures, storeFixtures } from "./throughput/fixtures.js";
import { assertH2loadInstalled, h2loadCommandLine } from "./throughput/h2load.js";
import {
  batchPhase,
  jobsOf,
  type LatencyLoad,
  latencyPhase,
  type Target,
  throughputPhase,
} from "./throughput/phases.js";
import { buildReport } from "./throughput/report.js";
import { ServerProbe } from "./throughput/server-probe.js";
import { serviceNodeOptions } from "./throughput/service-profile.js";
import {
  HALF_CEILING,
  HALF_OWN,
  LIGHT,
  LIGHT_RATE,
  plan as planFor,
  sampleSession,
  serviceYaml,
  VARIANTS,
} from "./throughput/workload.js";

/** A free loopback port for the service's metrics endpoint (its gRPC port is chosen by the service itself). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/**
 * Starts the service with the profiling options of the environment (see `serviceNodeOptions`) appended to
 * NODE_OPTIONS. startService copies process.env when it spawns, synchronously, so NODE_OPTIONS is changed only
 * for that call and restored before anything else runs (h2load, redis-server, later suites).
 */
async function startProfiledService(
  redisUrl: string,
  yaml: string,
  scratchDir: string,
): Promise<ServiceProcess> {
  const extra = serviceNodeOptions(scratchDir);
  if (extra === undefined) return startService(redisUrl, yaml);
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = [saved, extra].filter(Boolean).join(" ");
  const started = startService(redisUrl, yaml);
  if (saved === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = saved;
  return started;
}

export const run: Suite = async ({ quick }) => {
  assertH2loadInstalled();
  const plan = planFor(quick);
  const redis = await benchRedis();
  const dir = mkdtempSync(join(tmpdir(), "redisession-throughput-"));
  let service: ServiceProcess | undefined;
  let probe: ServerProbe | undefined;
  try {
    const metricsPort = await freePort();
    service = await startProfiledService(redis.url, serviceYaml(metricsPort), dir);
    if (service.child.pid === undefined) throw new Error("the service has no pid");
    probe = await ServerProbe.open(metricsPort, service.child.pid, redis.url);
    const target: Target = { port: service.port, probe, health: await healthBody(service.port, dir) };

    progress(`creating ${plan.sessionsPerStore} sessions in each of ${VARIANTS.length} stores`);
    const stores: StoreFixtures[] = [];
    for (const variant of VARIANTS) {
      stores.push(await storeFixtures(service.port, dir, variant, plan.sessionsPerStore, sampleSession));
    }
    const sizes = await probe.storedSizes();

    const { rounds: throughput, getCommands } = await throughputPhase(target, stores, plan);
    const ceilings = [...throughput.values()].flat().map((round) => round.ceiling.reqPerSec);
    const latencyRate = Math.round(median(ceilings) / 2);
    // The load (half the ceiling); half of what each store's GetSession itself sustained under h2load,
    // for when the former is more than GetSession can do; and a light load, the floor this machine allows.
    const ownHalf = (store: string) =>
      Math.round(median((throughput.get(store) ?? []).map((round) => round.get.reqPerSec)) / 2);
    const loads: LatencyLoad[] = [
      { label: LIGHT, rate: () => LIGHT_RATE },
      { label: HALF_OWN, rate: ownHalf },
      { label: HALF_CEILING, rate: () => latencyRate },
    ];
    const latency = await latencyPhase(target, stores, plan, loads, dir);
    const batch = await batchPhase(target, stores, plan);

    const first = jobsOf(stores[0] as StoreFixtures, target.health);
    const commandLines = Object.fromEntries(
      Object.entries(first).map(([name, jobs]) => [
        name,
        jobs.map((job) => `${h2loadCommandLine(target.port, job, plan.timing)} &`),
      ]),
    );
    return buildReport({
      plan,
      variants: VARIANTS,
      sizes,
      throughput,
      getCommands,
      latencyRate,
      latency,
      batch,
      commandLines,
    });
  } finally {
    await probe?.close();
    await service?.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

await runIfMain(run, import.meta.filename);
