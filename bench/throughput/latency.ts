/**
 * Open-loop GetSession latency (see bench/support/open-loop.ts for why open loop).
 *
 * The generator runs in the suite's own process on the same two cores as the service and Redis. To take as
 * little of that CPU as possible it uses raw grpc-js with pre-encoded requests and leaves responses undecoded
 * (their contents were verified before; here only the status matters).
 */
import type { Client } from "@grpc/grpc-js";
import { type OpenLoopResult, type OpenLoopSchedule, runOpenLoop } from "../support/open-loop.js";
import { rawClient, rawUnary, waitForReady } from "./grpc-frames.js";

/** What to send, how fast and for how long. */
export interface OpenLoopOptions extends OpenLoopSchedule {
  /** The gRPC path, e.g. `/redisession.v1.SessionService/GetSession`. */
  readonly path: string;
  /** Request messages (protobuf bytes), sent round-robin. */
  readonly messages: readonly Uint8Array[];
  /**
   * Each call's deadline. A call that misses it counts as an error and is recorded at the time it failed, so an
   * overloaded round still shows in the percentiles, and its backlog drains in bounded time.
   */
  readonly timeoutMs: number;
}

/** The latency of one open-loop round. */
export type LatencyRound = OpenLoopResult;

/** The connections of a generator, opened once and reused by its rounds. */
export class OpenLoopClients {
  private constructor(readonly clients: readonly Client[]) {}

  static async open(port: number, connections: number): Promise<OpenLoopClients> {
    const clients = Array.from({ length: connections }, () => rawClient(port));
    await Promise.all(clients.map((client) => waitForReady(client)));
    return new OpenLoopClients(clients);
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}

/** One open-loop round, its calls spread round-robin over the connections of `clients`. */
export function openLoop(clients: OpenLoopClients, options: OpenLoopOptions): Promise<LatencyRound> {
  const { path, messages, timeoutMs } = options;
  return runOpenLoop(options, (index) =>
    rawUnary(
      clients.clients[index % clients.clients.length] as Client,
      path,
      messages[index % messages.length] as Uint8Array,
      timeoutMs,
    ),
  );
}
