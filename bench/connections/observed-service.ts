import { readdirSync } from "node:fs";
import { createSessionClient, type SessionClient } from "../../src/client/index.js";
import { residentBytes } from "../soak/process-memory.js";
import { type ServiceProcess, startService } from "../support/harness.js";

/** A `redisession serve` process, with what the connection scenarios read from it. */
export interface ObservedService {
  readonly port: number;
  readonly process: ServiceProcess;
  /** The log records it wrote after it listened whose message is `message`. */
  logLines(message: string): readonly Readonly<Record<string, unknown>>[];
  /** File descriptors the process holds now (/proc, Linux): every socket counts. */
  openFiles(): number;
  /** Its resident set size in bytes. */
  residentBytes(): number;
  /** A metric from its /metrics endpoint (the first sample of `name`); NaN if absent. */
  metric(name: string): Promise<number>;
  /** A new shipped client to it, with a connection of its own; closed with the service. */
  client(options?: { retry?: false; defaultTimeoutMs?: number }): SessionClient;
  stop(): Promise<void>;
}

/**
 * Starts the service with its defaults, except the `server:` settings in `serverYaml` (lines indented by two
 * spaces) and metrics on a free loopback port; `openFiles` sets its `ulimit -n`.
 */
export async function observedService(
  redisUrl: string,
  serverYaml: readonly string[] = [],
  openFiles?: number,
): Promise<ObservedService> {
  const records: Readonly<Record<string, unknown>>[] = [];
  const config = ["server:", "  metrics:", "    host: 127.0.0.1", "    port: 0", ...serverYaml].join("\n");
  let metricsPort: number | undefined;
  let onMetricsPort: (() => void) | undefined;
  const service = await startService(
    redisUrl,
    config,
    {},
    {
      openFiles,
      onLog: (record) => {
        records.push(record);
        if (record.msg === "metrics listening") {
          metricsPort = record.port as number;
          onMetricsPort?.();
        }
      },
    },
  );
  // The metrics endpoint is announced around the gRPC port ("metrics listening" now comes first); wait if not yet.
  if (metricsPort === undefined) await new Promise<void>((resolve) => (onMetricsPort = resolve));
  const pid = service.child.pid as number;
  const clients: SessionClient[] = [];
  return {
    port: service.port,
    process: service,
    logLines: (message) => records.filter((record) => record.msg === message),
    openFiles: () => readdirSync(`/proc/${pid}/fd`).length,
    residentBytes: () => residentBytes(pid),
    async metric(name) {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
      return match === null ? Number.NaN : Number(match[1]);
    },
    client(options = {}) {
      // A subchannel pool of its own: grpc-js would otherwise share one connection between clients with the same
      // options, and a "new" client would not connect at all.
      const client = createSessionClient(`127.0.0.1:${service.port}`, {
        ...options,
        channelOptions: { "grpc.use_local_subchannel_pool": 1 },
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.close();
      await service.stop();
    },
  };
}
