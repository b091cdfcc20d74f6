/**
 * What session data too large for its store costs the service: the issue's ~4 MB SaveSession of 300,000 fields,
 * against the default store (maxSessionBytes 1 MiB). Prints the time to answer one such save (alone, median of
 * several), and a normal client's GetSession latency alone and while two other clients keep sending such saves.
 * Against a `redisession serve` process, as users run it. Not a test: the figures depend on the machine.
 *
 *   node --import tsx bench/oversized-data.ts [--seconds 10]
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { create, toBinary } from "@bufbuild/protobuf";
import { Client, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import {
  SaveCondition,
  SaveSessionRequestSchema,
  SessionService,
} from "../gen/redisession/v1/session_service_pb.js";
import { createSessionClient } from "../src/client/index.js";
import { methodPath } from "../src/rpc/method-definitions.js";
import { benchRedis, machineInfo, median, progress, startService } from "./support/harness.js";
import { printTable } from "./support/table.js";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" } } });
const seconds = Number(values.seconds);

const FIELDS = 300_000;
const CONFIG = [
  "stores:",
  "  default:",
  "    strategy: hash",
  "server:",
  "  metrics:",
  "    enabled: false",
].join("\n");

/** `{ "0": "x", "1": "x", ... }`: 300,000 members, ~3.9 MB as a Struct. */
function wideData(): Record<string, string> {
  const data: Record<string, string> = {};
  for (let i = 0; i < FIELDS; i++) data[i.toString(36)] = "x";
  return data;
}

/** One unary call of `path` whose request is `body`, sent as it is; resolves with the status code. */
function rawCall(client: Client, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (raw: Buffer) => raw,
      (raw: Buffer) => raw,
      body,
      new Metadata(),
      { deadline: Date.now() + 60_000 },
      (error: ServiceError | null) => resolve(error === null ? 0 : error.code),
    );
  });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const redis = await benchRedis();
const service = await startService(redis.url, CONFIG);
const target = `127.0.0.1:${service.port}`;
const client = createSessionClient(target, { defaultTimeoutMs: 60_000 });
const flooders = [0, 1].map(() => new Client(target, credentials.createInsecure()));
const savePath = methodPath(SessionService.method.saveSession);
try {
  const { session } = await client.createSession({ content: { case: "data", value: { user: "ada" } } });
  const key = session?.key ?? "";
  const body = Buffer.from(
    toBinary(
      SaveSessionRequestSchema,
      create(SaveSessionRequestSchema, {
        key,
        condition: SaveCondition.MUST_EXIST,
        content: { case: "data", value: wideData() },
      }),
    ),
  );
  progress(`a SaveSession of ${FIELDS} fields: ${body.length} bytes`);

  // Warm-up, then one at a time.
  const codes = new Set<number>();
  for (let i = 0; i < 3; i++) codes.add(await rawCall(flooders[0] as Client, savePath, body));
  const refusals: number[] = [];
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    codes.add(await rawCall(flooders[0] as Client, savePath, body));
    refusals.push(performance.now() - start);
  }

  const gets = async (until: () => boolean): Promise<number[]> => {
    const latencies: number[] = [];
    while (!until()) {
      const start = performance.now();
      await client.getSession({ key });
      latencies.push(performance.now() - start);
    }
    return latencies;
  };
  progress(`GetSession alone for ${seconds} s`);
  let end = performance.now() + seconds * 1000;
  const alone = await gets(() => performance.now() > end);

  progress(`GetSession with two clients sending the save in a loop for ${seconds} s`);
  end = performance.now() + seconds * 1000;
  let floods = 0;
  const flood = flooders.map(async (flooder) => {
    while (performance.now() < end) {
      codes.add(await rawCall(flooder, savePath, body));
      floods++;
    }
  });
  const flooded = await gets(() => performance.now() > end);
  await Promise.all(flood);

  const machine = machineInfo();
  console.log(`${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; ${machine.date}\n`);
  console.log(`status codes of the large saves: ${[...codes].join(", ")} (8 = RESOURCE_EXHAUSTED)\n`);
  const ms = (value: number) => value.toFixed(1);
  printTable({
    title: "oversized SaveSession against the default store",
    header: ["figure", "value"],
    rows: [
      [`one ${(body.length / 1e6).toFixed(1)} MB save refused, median of 10 (ms)`, ms(median(refusals))],
      [
        "GetSession alone: calls, p50 / p99 (ms)",
        `${alone.length}, ${ms(median(alone))} / ${ms(percentile(alone, 99))}`,
      ],
      [
        "GetSession, two clients flooding: calls, p50 / p99 (ms)",
        `${flooded.length}, ${ms(median(flooded))} / ${ms(percentile(flooded, 99))}`,
      ],
      ["large saves answered meanwhile", String(floods)],
    ],
  });
} finally {
  client.close();
  for (const flooder of flooders) flooder.close();
  await service.stop();
  await redis.stop();
}
