/**
 * What a rapid-reset client (HEADERS then RST_STREAM, again and again, reconnecting after each GOAWAY) leaves in
 * the service's memory: RSS and open file descriptors of a `redisession serve` process before, during and after
 * such clients run, and how many connections they made. The clients are `node:http2` ones, as an attacker's
 * script would be. Not a test: the figures depend on the machine.
 *
 * Rounds of attack, each followed by a pause and two full garbage collections (the service is started with
 * support/gc-probe.cjs): memory the service still holds grows from round to round; memory the allocator keeps
 * for reuse does not.
 *
 *   node --import tsx bench/rapid-reset-memory.ts [--seconds 30] [--clients 4] [--settle 15] [--rounds 3]
 */
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { type ClientHttp2Session, connect, constants } from "node:http2";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { SessionService } from "../gen/redisession/v1/session_service_pb.js";
import { createSessionClient } from "../src/client/index.js";
import { methodPath } from "../src/rpc/method-definitions.js";
import { mib, residentBytes } from "./soak/process-memory.js";
import { benchRedis, machineInfo, progress, startService } from "./support/harness.js";
import { printTable } from "./support/table.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    clients: { type: "string", default: "4" },
    settle: { type: "string", default: "15" },
    rounds: { type: "string", default: "3" },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const settleSeconds = Number(values.settle);
const rounds = Number(values.rounds);

/** A free TCP port on loopback, for the metrics endpoint (which reports the service's heap). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

const metricsPort = await freePort();
const CONFIG = [
  "stores:",
  "  default:",
  "    strategy: hash",
  "server:",
  "  metrics:",
  "    host: 127.0.0.1",
  `    port: ${metricsPort}`,
].join("\n");

/** The service's V8 heap in use and its native (external and array buffer) memory, in bytes, from its metrics. */
async function heapFigures(): Promise<{ heapUsed: number; heapTotal: number; external: number }> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? Number.NaN);
  return {
    heapUsed: value("nodejs_heap_size_used_bytes"),
    heapTotal: value("nodejs_heap_size_total_bytes"),
    external: value("nodejs_external_memory_bytes"),
  };
}
const HEADERS = {
  ":method": "POST",
  ":path": methodPath(SessionService.method.getSession),
  "content-type": "application/grpc",
  te: "trailers",
};

function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** One connection: streams opened and cancelled, 100 at a time, until the server ends it. Resolves when closed. */
async function resetUntilClosed(port: number): Promise<void> {
  const session: ClientHttp2Session = connect(`http://127.0.0.1:${port}`);
  session.on("error", () => {});
  const closed = new Promise<void>((resolve) => session.once("close", () => resolve()));
  let ended = false;
  session.once("goaway", () => {
    ended = true;
  });
  session.once("close", () => {
    ended = true;
  });
  while (!ended) {
    for (let i = 0; i < 100 && !ended && !session.destroyed; i++) {
      try {
        const stream = session.request(HEADERS, { endStream: false });
        stream.on("error", () => {});
        stream.close(constants.NGHTTP2_CANCEL);
      } catch {
        ended = true;
      }
    }
    await nextTurn();
  }
  session.destroy();
  await closed;
}

const redis = await benchRedis();
const probeFile = join(tmpdir(), `gc-probe-${process.pid}.json`);
const service = await startService(redis.url, CONFIG, {
  NODE_OPTIONS: `--expose-gc --require ${join(import.meta.dirname, "support", "gc-probe.cjs")}`,
  GC_PROBE_FILE: probeFile,
});

/** The service's RSS and V8 heap in use after two full collections (see support/gc-probe.cjs). */
async function afterFullGc(): Promise<{
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}> {
  rmSync(probeFile, { force: true });
  service.child.kill("SIGUSR2");
  while (!existsSync(probeFile)) await sleep(100);
  await sleep(100);
  const { after } = JSON.parse(readFileSync(probeFile, "utf8")) as {
    after: { rss: number; heapUsed: number; heapTotal: number; external: number };
  };
  rmSync(probeFile, { force: true });
  return after;
}
const pid = service.child.pid as number;
const client = createSessionClient(`127.0.0.1:${service.port}`, { defaultTimeoutMs: 10_000 });
const rows: (string | number)[][] = [];
/** A row of the table: the service's memory now, or after two full collections. */
async function row(moment: string, collect = false): Promise<(string | number)[]> {
  const memory = collect ? await afterFullGc() : { ...(await heapFigures()), rss: residentBytes(pid) };
  return [
    moment,
    mib(memory.rss),
    `${mib(memory.heapUsed)} / ${mib(memory.heapTotal)}`,
    mib(memory.external),
    openDescriptors(pid),
  ];
}

try {
  const { session } = await client.createSession({ content: { case: "data", value: { user: "ada" } } });
  const key = session?.key ?? "";
  await client.getSession({ key });
  rows.push(await row("idle, after one normal call"), await row("idle, after two full GCs", true));
  let connections = 0;
  let normal = 0;
  for (let round = 1; round <= rounds; round++) {
    progress(`round ${round}: ${clients} rapid-reset clients for ${seconds} s`);
    const end = Date.now() + seconds * 1000;
    let peak = 0;
    const attackers = Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        await resetUntilClosed(service.port);
        connections++;
      }
    });
    const sampler = (async () => {
      while (Date.now() < end) {
        await sleep(1000);
        peak = Math.max(peak, residentBytes(pid));
      }
    })();
    // A normal client meanwhile.
    while (Date.now() < end) {
      await client.getSession({ key });
      normal++;
    }
    await Promise.all([...attackers, sampler]);
    rows.push(await row(`round ${round}: right after (${connections} connections so far)`));
    rows.push([`round ${round}: peak RSS (sampled each second)`, mib(peak), "", "", ""]);
    progress(`waiting ${settleSeconds} s`);
    await sleep(settleSeconds * 1000);
    rows.push(await row(`round ${round}: ${settleSeconds} s later`));
    rows.push(await row(`round ${round}: then after two full GCs`, true));
  }

  const machine = machineInfo();
  console.log(`${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; ${machine.date}\n`);
  console.log(
    `${rounds} rounds of ${clients} clients for ${seconds} s: ${connections} connections ended by GOAWAY; ${normal} normal GetSession calls meanwhile\n`,
  );
  printTable({
    title: "service memory and open files",
    header: ["moment", "RSS (MiB)", "V8 heap used / total (MiB)", "external (MiB)", "open fds"],
    rows,
  });
} finally {
  client.close();
  await service.stop();
  await redis.stop();
}
