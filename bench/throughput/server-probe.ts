/**
 * What the server side did during a measurement: the service's own per-method, per-status call counters (so
 * every call h2load made is checked for gRPC OK, which h2load cannot see), and the CPU time the service and
 * Redis processes used (so a slow RPC can be blamed on the right process). Redis' `INFO commandstats` says which
 * commands that Redis time went to.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createClient } from "redis";

/** Counters and CPU times at one instant. */
export interface ProbeSnapshot {
  /** `redisession_rpc_calls_total` by `"<rpc> <code>"`, e.g. `"grpc.health.v1.Health/Check OK"`. */
  readonly calls: ReadonlyMap<string, number>;
  /** CPU seconds (user + system) used so far by the service and by Redis. */
  readonly serviceCpu: number;
  readonly redisCpu: number;
  /** `performance.now()` in milliseconds. */
  readonly at: number;
}

/** The difference between two snapshots. */
export interface ProbeDelta {
  /** Calls per `"<rpc> <code>"` between the snapshots. */
  readonly calls: ReadonlyMap<string, number>;
  /** Share of one core each process used in between (1 = a whole core). */
  readonly serviceCores: number;
  readonly redisCores: number;
  readonly serviceCpuSeconds: number;
  readonly redisCpuSeconds: number;
}

/** One line of `INFO commandstats`. */
export interface CommandStat {
  readonly command: string;
  readonly calls: number;
  readonly usecPerCall: number;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds of process `pid`, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces, hence the last ")"): utime and stime are the 12th and
  // 13th of them.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** A plain node-redis client (its type spelled through the factory: the generic defaults differ). */
const redisClient = (url: string) => createClient({ url });
type RedisClient = ReturnType<typeof redisClient>;

const CALL_LINE = /^redisession_rpc_calls_total\{([^}]*)\} (\d+)/gm;

/** Parses the call counters out of the Prometheus text. */
export function parseCallCounters(text: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const [, labels = "", value] of text.matchAll(CALL_LINE)) {
    const rpc = /rpc="([^"]*)"/.exec(labels)?.[1];
    const code = /code="([^"]*)"/.exec(labels)?.[1];
    if (rpc !== undefined && code !== undefined) calls.set(`${rpc} ${code}`, Number(value));
  }
  return calls;
}

/** The average size of a store's saved sessions, and the codecs their payloads were stored with. */
export interface StoredSize {
  readonly jsonBytes: number;
  readonly payloadBytes: number;
  readonly codecs: readonly string[];
}

/** Parses the saved-size counters (`..._json_bytes_total`, `..._payload_bytes_total`, `..._record_bytes_count`). */
export function parseStoredSizes(text: string): Map<string, StoredSize> {
  const sums = new Map<string, { json: number; payload: number; count: number; codecs: Set<string> }>();
  const pattern =
    /^redisession_session_(json_bytes_total|payload_bytes_total|record_bytes_count)\{([^}]*)\} ([\d.e+]+)/gm;
  for (const [, metric, labels = "", value] of text.matchAll(pattern)) {
    const store = /store="([^"]*)"/.exec(labels)?.[1];
    const codec = /codec="([^"]*)"/.exec(labels)?.[1];
    if (store === undefined || codec === undefined) continue;
    const sum = sums.get(store) ?? { json: 0, payload: 0, count: 0, codecs: new Set<string>() };
    if (metric === "json_bytes_total") sum.json += Number(value);
    else if (metric === "payload_bytes_total") sum.payload += Number(value);
    else if (Number(value) > 0) {
      sum.count += Number(value);
      sum.codecs.add(codec);
    }
    sums.set(store, sum);
  }
  const sizes = new Map<string, StoredSize>();
  for (const [store, sum] of sums) {
    if (sum.count === 0) continue;
    sizes.set(store, {
      jsonBytes: sum.json / sum.count,
      payloadBytes: sum.payload / sum.count,
      codecs: [...sum.codecs],
    });
  }
  return sizes;
}

/** Reads the service's metrics endpoint, its process and the Redis process. */
export class ServerProbe {
  private constructor(
    private readonly metricsUrl: string,
    private readonly servicePid: number,
    private readonly redisPid: number | undefined,
    private readonly redis: RedisClient,
  ) {}

  /** Connects to Redis (for its pid and its command statistics). */
  static async open(metricsPort: number, servicePid: number, redisUrl: string): Promise<ServerProbe> {
    const redis = redisClient(redisUrl);
    redis.on("error", () => {}); // a dying Redis at the end of a failed run must not crash the suite
    await redis.connect();
    const info = await redis.info("server");
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    // An external Redis (REDIS_URL) may live in another PID namespace; its CPU is then not reported.
    const redisPid = Number.isInteger(pid) && pid > 0 && isReadable(pid) ? pid : undefined;
    return new ServerProbe(`http://127.0.0.1:${metricsPort}/metrics`, servicePid, redisPid, redis);
  }

  async snapshot(): Promise<ProbeSnapshot> {
    const response = await fetch(this.metricsUrl);
    if (!response.ok) throw new Error(`metrics endpoint answered ${response.status}`);
    const calls = parseCallCounters(await response.text());
    return {
      calls,
      serviceCpu: cpuSeconds(this.servicePid),
      redisCpu: this.redisPid === undefined ? Number.NaN : cpuSeconds(this.redisPid),
      at: performance.now(),
    };
  }

  /**
   * Waits until the service is idle: no call ended and under 5% of a core used over 250 ms (at most `maxMs`).
   * After an overloaded round the service is still working through calls its clients gave up on; the next
   * round must not pay for them.
   */
  async settle(maxMs = 15_000): Promise<void> {
    const total = (snapshot: ProbeSnapshot) => [...snapshot.calls.values()].reduce((sum, n) => sum + n, 0);
    const deadline = performance.now() + maxMs;
    let before = await this.snapshot();
    while (performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const after = await this.snapshot();
      if (total(after) === total(before) && probeDelta(before, after).serviceCores < 0.05) return;
      before = after;
    }
  }

  /** Average JSON and stored payload bytes of the sessions saved so far, by store (from the service's metrics). */
  async storedSizes(): Promise<Map<string, StoredSize>> {
    const response = await fetch(this.metricsUrl);
    return parseStoredSizes(await response.text());
  }

  /** Zeroes Redis' command statistics. */
  async resetCommandStats(): Promise<void> {
    await this.redis.configResetStat();
  }

  /** Redis' command statistics since the last reset, busiest first. */
  async commandStats(): Promise<CommandStat[]> {
    const info = await this.redis.info("commandstats");
    const stats: CommandStat[] = [];
    for (const [, command = "", calls, usecPerCall] of info.matchAll(
      /^cmdstat_([^:]+):calls=(\d+),usec=\d+,usec_per_call=([\d.]+)/gm,
    )) {
      stats.push({ command, calls: Number(calls), usecPerCall: Number(usecPerCall) });
    }
    return stats.sort((a, b) => b.calls * b.usecPerCall - a.calls * a.usecPerCall);
  }

  async close(): Promise<void> {
    await this.redis.close().catch(() => {});
  }
}

function isReadable(pid: number): boolean {
  try {
    cpuSeconds(pid);
    return true;
  } catch {
    return false;
  }
}

/** What happened between two snapshots. */
export function probeDelta(before: ProbeSnapshot, after: ProbeSnapshot): ProbeDelta {
  const calls = new Map<string, number>();
  for (const [key, value] of after.calls) {
    const delta = value - (before.calls.get(key) ?? 0);
    if (delta > 0) calls.set(key, delta);
  }
  const seconds = (after.at - before.at) / 1000;
  const serviceCpuSeconds = after.serviceCpu - before.serviceCpu;
  const redisCpuSeconds = after.redisCpu - before.redisCpu;
  return {
    calls,
    serviceCores: serviceCpuSeconds / seconds,
    redisCores: redisCpuSeconds / seconds,
    serviceCpuSeconds,
    redisCpuSeconds,
  };
}

/** Codes a call cut off by h2load's stop gets (the service reports a client's cancel as DEADLINE_EXCEEDED). */
const CUT_OFF_CODES = new Set(["CANCELLED", "DEADLINE_EXCEEDED"]);

/**
 * Checks that the server answered every call of `rpcs` in the window with OK, and at least `minimumOk` of them
 * (h2load's count of completed requests: fewer OK calls on the server would mean h2load counted responses the
 * server never produced through the handlers, e.g. to a request it could not decode). When its duration ends,
 * h2load closes its connections with calls still in flight; the server sees those cancelled, so up to `inFlight`
 * cancelled calls are expected and allowed. Returns the OK count.
 */
export function assertAllOk(
  delta: ProbeDelta,
  rpcs: readonly string[],
  minimumOk: number,
  inFlight: number,
): number {
  let ok = 0;
  let cutOff = 0;
  for (const [key, value] of delta.calls) {
    const [rpc, code = ""] = key.split(" ");
    if (rpc === undefined || !rpcs.includes(rpc)) continue;
    if (code === "OK") ok += value;
    else if (CUT_OFF_CODES.has(code)) cutOff += value;
    else throw new Error(`${value} ${rpc} calls ended with ${code}`);
  }
  if (cutOff > inFlight) throw new Error(`${cutOff} calls of ${rpcs.join(", ")} were cancelled or timed out`);
  if (ok < minimumOk)
    throw new Error(`the server counted ${ok} OK calls of ${rpcs.join(", ")}, h2load ${minimumOk}`);
  return ok;
}
