/**
 * `npm run soak -- --minutes 10 --rps 2000`: a long mixed workload against a service process, through the shipped
 * client, at a fixed open-loop rate. Reports calls by status code, latency percentiles, and the service's RSS
 * after warm-up and at the end. Not part of `npm test` or `npm run bench`: it runs for minutes by design.
 *
 * Targets: only the codes the traffic can legitimately get (OK, NOT_FOUND, ABORTED — see EXPECTED_CODES), and
 * RSS drift under 10% from the end of warm-up to the end of the run. Warm-up is excluded because the first
 * minute grows the heap, JIT code and connection buffers to their working size; a leak shows as growth after.
 */
import { parseArgs } from "node:util";
import { Code, createSessionClient } from "../src/client/index.js";
import { CodeTally, EXPECTED_CODES, KeyPool, mixedCall } from "./soak/mixed-workload.js";
import { mib, residentBytes } from "./soak/process-memory.js";
import { benchRedis, machineInfo, progress, startService, writeResults } from "./support/harness.js";
import { runOpenLoop } from "./support/open-loop.js";
import { targetsTable } from "./support/suite.js";
import { printTable } from "./support/table.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    rps: { type: "string", default: "2000" },
    "warmup-seconds": { type: "string", default: "60" },
    sessions: { type: "string", default: "20000" },
  },
});
const minutes = Number(values.minutes);
const rps = Number(values.rps);
const warmUpSeconds = Math.min(Number(values["warmup-seconds"]), minutes * 60);
const sessions = Number(values.sessions);
for (const [name, value] of Object.entries({ minutes, rps, sessions })) {
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
}

const CONFIG = [
  "stores:",
  "  default:",
  "    strategy: hash",
  "    codec: zstd",
  "    bucketBits: 10",
  "server:",
  "  metrics:",
  "    enabled: false",
].join("\n");

const redis = await benchRedis();
const service = await startService(redis.url, CONFIG);
const pid = service.child.pid as number;
const client = createSessionClient(`127.0.0.1:${service.port}`, { defaultTimeoutMs: 2_000 });
try {
  const idleRss = residentBytes(pid);
  progress(`seeding ${sessions} sessions`);
  const pool = new KeyPool(sessions);
  for (let created = 0; created < sessions; created += 100) {
    const batch = Array.from({ length: Math.min(100, sessions - created) }, () =>
      client.createSession({
        content: { case: "data", value: { seeded: true } },
        idleTtl: { seconds: 3600n },
      }),
    );
    for (const { session } of await Promise.all(batch)) if (session) pool.add(session.key);
  }

  progress(`warm-up: ${warmUpSeconds} s at ${rps}/s`);
  await runOpenLoop({ rate: rps, seconds: warmUpSeconds }, mixedCall(client, pool, new CodeTally()));
  const startRss = residentBytes(pid);

  const tally = new CodeTally();
  const seconds = minutes * 60;
  progress(`soak: ${minutes} min at ${rps}/s (RSS after warm-up ${mib(startRss)} MiB)`);
  const began = Date.now();
  const ticker = setInterval(() => {
    const calls = [...tally.byCode.values()].reduce((a, b) => a + b, 0);
    progress(
      `${Math.round((Date.now() - began) / 1000)} s: ${calls} calls, ${tally.unexpected} unexpected, ` +
        `RSS ${mib(residentBytes(pid))} MiB, ${pool.size} keys in play`,
    );
  }, 30_000);
  const result = await runOpenLoop({ rate: rps, seconds }, mixedCall(client, pool, tally)).finally(() =>
    clearInterval(ticker),
  );
  const endRss = residentBytes(pid);
  const drift = (endRss - startRss) / startRss;

  const machine = machineInfo();
  const codes = [...tally.byCode.entries()].sort((a, b) => b[1] - a[1]);
  const unexpected = codes.filter(([name]) => !EXPECTED_CODES.has(Code[name as keyof typeof Code]));
  console.log(
    `${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; ${machine.redis}; ${machine.date}\n`,
  );
  printTable({
    title: `soak: ${minutes} min at ${rps} calls/s`,
    header: [
      "calls",
      "achieved/s",
      "p50 ms",
      "p99 ms",
      "p99.9 ms",
      "max ms",
      "RSS idle",
      "RSS after warm-up",
      "RSS end",
      "drift",
    ],
    rows: [
      [
        result.calls,
        Math.round(result.achievedRate),
        result.p50.toFixed(2),
        result.p99.toFixed(2),
        result.p999.toFixed(2),
        result.max.toFixed(1),
        `${mib(idleRss)} MiB`,
        `${mib(startRss)} MiB`,
        `${mib(endRss)} MiB`,
        `${(drift * 100).toFixed(1)}%`,
      ],
    ],
  });
  printTable({ title: "calls by status", header: ["status", "calls"], rows: codes });
  if (tally.firstUnexpected.size > 0) {
    printTable({
      title: "first unexpected answers",
      header: ["status", "first answer (operation: details)"],
      rows: [...tally.firstUnexpected],
    });
  }
  const targets = [
    {
      name: "calls with an unexpected status",
      target: "0",
      measured: String(tally.unexpected),
      met: tally.unexpected === 0,
    },
    {
      name: "RSS drift after warm-up",
      target: "< 10%",
      measured: `${(drift * 100).toFixed(1)}%`,
      met: drift < 0.1,
    },
  ];
  printTable(targetsTable(targets));
  writeResults("soak", {
    minutes,
    rps,
    warmUpSeconds,
    sessions,
    result,
    codes: Object.fromEntries(codes),
    unexpected: Object.fromEntries(unexpected),
    firstUnexpected: Object.fromEntries(tally.firstUnexpected),
    operations: Object.fromEntries(tally.byOperation),
    rss: { idle: idleRss, afterWarmUp: startRss, end: endRss, drift },
    targets,
  });
} finally {
  client.close();
  await service.stop();
  await redis.stop();
}
