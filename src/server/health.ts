import { EventEmitter, on } from "node:events";
import {
  type Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { UnknownServiceError } from "./call-errors.js";
import type { ServiceImpl } from "./service-impl.js";

/** Something whose reachability decides whether the service can serve (the Redis connections). */
export interface Dependency {
  ping(timeoutMs: number): Promise<boolean>;
}

/** Services a health check may name: the whole server ("") and the session service. */
const CHECKED_SERVICES = new Set(["", SessionService.typeName]);

/**
 * The serving status of the server: SERVING while every Redis connection answers PING, NOT_SERVING while one
 * does not and for good once shutdown begins. Polls on an interval so that Watch streams and load balancers see
 * an outage (and the recovery) without any request having to fail first.
 */
export class HealthMonitor {
  private current = ServingStatus.NOT_SERVING;
  private shuttingDown = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly changes = new EventEmitter();

  constructor(
    private readonly dependency: Dependency,
    private readonly intervalMs = 1_000,
  ) {
    this.changes.setMaxListeners(0); // one listener per Watch stream
  }

  /** The current status. */
  get status(): ServingStatus {
    return this.current;
  }

  /** Checks once now, then every `intervalMs` until {@link HealthMonitor.stop}. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  /** Reports NOT_SERVING from now on, so that load balancers stop sending calls before the server stops. */
  beginShutdown(): void {
    this.shuttingDown = true;
    this.set(ServingStatus.NOT_SERVING);
  }

  /** Stops polling and ends every Watch stream. */
  stop(): void {
    clearInterval(this.timer);
    this.changes.emit("stop");
  }

  private async check(): Promise<void> {
    const healthy = await this.dependency.ping(Math.min(this.intervalMs, 1_000));
    if (!this.shuttingDown) this.set(healthy ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  private set(status: ServingStatus): void {
    if (status === this.current) return;
    this.current = status;
    this.changes.emit("change", status);
  }

  /** The current status, then each change, until `signal` aborts or the monitor stops. */
  async *watch(signal: AbortSignal): AsyncGenerator<ServingStatus> {
    const stop = new AbortController();
    const onStop = () => stop.abort();
    this.changes.once("stop", onStop);
    const both = AbortSignal.any([signal, stop.signal]);
    try {
      yield this.current;
      for await (const [status] of on(this.changes, "change", { signal: both }))
        yield status as ServingStatus;
    } catch (error) {
      if (!both.aborted) throw error;
    } finally {
      this.changes.off("stop", onStop);
    }
  }
}

/** Check's answers, one per status: frozen, so that each is encoded once (see `responseEncoder`). */
const CHECK_ANSWERS = new Map(
  Object.values(ServingStatus)
    .filter((status): status is ServingStatus => typeof status === "number")
    .map((status) => [status, Object.freeze({ status })]),
);

/** grpc.health.v1.Health over a {@link HealthMonitor}. */
export function healthHandlers(monitor: HealthMonitor): ServiceImpl<typeof Health> {
  return {
    async check(request) {
      if (!CHECKED_SERVICES.has(request.service)) throw new UnknownServiceError("unknown service");
      return CHECK_ANSWERS.get(monitor.status) ?? { status: monitor.status };
    },
    async *watch(request, context) {
      if (!CHECKED_SERVICES.has(request.service)) {
        // The protocol answers Watch for an unknown service with a status, not an error.
        yield { status: ServingStatus.SERVICE_UNKNOWN };
        return;
      }
      for await (const status of monitor.watch(context.signal)) yield { status };
    },
  };
}
