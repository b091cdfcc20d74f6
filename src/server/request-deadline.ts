import {
  type Deadline,
  type Metadata,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from "@grpc/grpc-js";
import { type CallFailure, DeadlineExceededError } from "./call-errors.js";
import { answerBy, deadlineMs } from "./service-impl.js";

/** What receives a call's inbound events (grpc-js does not export the type's name). */
type InterceptingServerListener = Parameters<ServerInterceptingCallInterface["start"]>[0];

/** What {@link requestDeadlineInterceptor} needs. */
export interface RequestDeadlineOptions {
  /** `server.requestTimeoutMs`: the longest a call may take from its arrival. */
  readonly timeoutMs: number;
  /**
   * Turns the deadline's error into the status the caller gets, as for every other failure (`grpc-status.ts`),
   * and counts it: a call ended here never reaches the handler bridge that counts the others. `path` is the
   * method's HTTP/2 path.
   */
  readonly toStatus: (error: unknown, path: string) => CallFailure;
  /** Milliseconds since the Unix epoch, as the deadlines grpc-js reports are. Default: `Date.now`. */
  readonly clock?: () => number;
}

/** The deadline timer's callback: module-level, so that no closure is made per call. */
function expire(call: DeadlineCall): void {
  call.expire();
}

/**
 * One call, timed from its arrival until its request is in (or, for request streams, until it ends). Inbound
 * events go straight from the call below to the listener above through this object's own methods: no closure or
 * listener object per call, as grpc-js' generic interceptor plumbing would make (the interceptor runs on every
 * call, health checks included).
 */
class DeadlineCall extends ServerInterceptingCall implements InterceptingServerListener {
  private timer: NodeJS.Timeout | undefined;
  private listener: InterceptingServerListener | undefined;
  /** Set once the call was answered here: nothing more may reach the handler, which would answer too. */
  private expired = false;

  constructor(
    private readonly next: ServerInterceptingCallInterface,
    private readonly path: string,
    /** The deadline the handler is given (`getDeadline`), epoch milliseconds; undefined: the client's. */
    private readonly deadline: number | undefined,
    /** Whether the timer stops once the request is complete (unary and server-streaming calls). */
    private readonly untilRequest: boolean,
    private readonly toStatus: RequestDeadlineOptions["toStatus"],
  ) {
    super(next);
  }

  /** Starts the timer: it fires `delayMs` from now. */
  arm(delayMs: number): void {
    this.timer = setTimeout(expire, Math.max(0, delayMs), this);
  }

  expire(): void {
    this.timer = undefined;
    this.expired = true;
    const reason = this.untilRequest
      ? "deadline exceeded before the request arrived"
      : "deadline exceeded (server.requestTimeoutMs)";
    this.sendStatus(this.toStatus(new DeadlineExceededError(reason), this.path));
  }

  override start(listener: InterceptingServerListener): void {
    this.listener = listener;
    this.next.start(this);
  }

  override getDeadline(): Deadline {
    return this.deadline ?? this.next.getDeadline();
  }

  onReceiveMetadata(metadata: Metadata): void {
    if (!this.expired) this.listener?.onReceiveMetadata(metadata);
  }

  onReceiveMessage(message: unknown): void {
    if (!this.expired) this.listener?.onReceiveMessage(message);
  }

  onReceiveHalfClose(): void {
    if (this.expired) return;
    if (this.untilRequest) this.stop();
    this.listener?.onReceiveHalfClose();
  }

  /** Any status sent (by the handler, another interceptor, grpc-js itself) or the client's reset ends here. */
  onCancel(): void {
    this.stop();
    this.listener?.onCancel();
  }

  private stop(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Ends every call by `timeoutMs` from its arrival, whether or not its request ever completes. grpc-js runs
 * interceptors when a stream's HEADERS frame arrives, but runs a unary handler only once the whole request is in:
 * a client that trickles the request's bytes (slowloris) would otherwise hold the stream for as long as it likes,
 * and the handler's own timer would never start. Such a call is answered DEADLINE_EXCEEDED here, with the same
 * details as any other (`toStatus`); `stream-guard.ts` then resets the stream, so the trickle stops too.
 *
 * The timer fires at the earlier of `timeoutMs` from arrival and a little ahead of the client's own deadline (as
 * the handler bridge answers, see `answerBy`), so that a call out of time is answered, and counted, here rather
 * than by grpc-js' timer or the client's reset. By kind of method:
 * - unary: the timer runs until the request is complete; the handler bridge then ends the call by the same
 *   deadline, which this interceptor gives it as the call's (`getDeadline`), so the time spent receiving counts.
 * - server-streaming (health Watch): the request must arrive in time; the stream then lives until the client
 *   leaves or the server stops (the bridge's stream rule).
 * - client-streaming and bidi (reflection): the whole call, like a unary one, since the handler runs from the
 *   start and knows no deadline.
 */
export function requestDeadlineInterceptor(options: RequestDeadlineOptions): ServerInterceptor {
  const { timeoutMs, toStatus, clock = Date.now } = options;
  return (method, call) => {
    const arrival = clock();
    const clientDeadline = deadlineMs(call.getDeadline());
    const cap = arrival + timeoutMs;
    const serverStreaming = method.responseStream && !method.requestStream;
    const deadlineCall = new DeadlineCall(
      call,
      method.path,
      serverStreaming ? undefined : Math.min(clientDeadline, cap),
      !method.requestStream,
      toStatus,
    );
    deadlineCall.arm(Math.min(answerBy(clientDeadline, arrival), cap) - arrival);
    return deadlineCall;
  };
}
