import type {
  DescMessage,
  DescMethod,
  DescService,
  MessageInitShape,
  MessageShape,
} from "@bufbuild/protobuf";
import {
  type Deadline,
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { AnyMessage } from "../rpc/method-definitions.js";
import { UndecodableRequest } from "../rpc/undecodable-request.js";
import { type CallFailure, DeadlineExceededError } from "./call-errors.js";
import { type ResponseEncoder, responseEncoder } from "./response-encoder.js";

/** What a handler knows about the call it serves. */
export interface CallContext {
  /**
   * Aborted when the client cancels, the deadline passes, or the server shuts down (streams only). Made on first
   * read (an AbortController costs microseconds): read it only where it is used.
   */
  readonly signal: AbortSignal;
  /** When the call must be done: the client's deadline, capped by the server's request timeout. */
  readonly deadline: Date;
  /** The request's metadata (headers). */
  readonly metadata: Metadata;
  /** The method being served. */
  readonly method: DescMethod;
}

type UnaryHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: CallContext,
) => Promise<MessageInitShape<O>>;

type ServerStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: CallContext,
) => AsyncIterable<MessageInitShape<O>>;

/**
 * The handlers of a service, derived from its descriptor (connect-es `ServiceImpl<Desc>` is the model): one
 * function per RPC, typed by the RPC's messages. Adding an RPC to the proto makes the compiler ask for its handler.
 * Client- and bidi-streaming RPCs are not supported (none are declared).
 */
export type ServiceImpl<S extends DescService> = {
  [K in keyof S["method"]]: S["method"][K] extends {
    readonly methodKind: "unary";
    readonly input: infer I extends DescMessage;
    readonly output: infer O extends DescMessage;
  }
    ? UnaryHandler<I, O>
    : S["method"][K] extends {
          readonly methodKind: "server_streaming";
          readonly input: infer I extends DescMessage;
          readonly output: infer O extends DescMessage;
        }
      ? ServerStreamingHandler<I, O>
      : never;
};

/** How bound handlers behave around the handler bodies. */
export interface BindOptions {
  /** Upper bound on any call's duration, whatever the client's deadline (or lack of one). */
  readonly requestTimeoutMs: number;
  /** Turns any failure into the status sent to the client (and logs what deserves it). */
  readonly toStatus: (error: unknown, method: DescMethod) => CallFailure;
  /** Aborted when the server shuts down: open streams end (unary calls finish on their own). */
  readonly shutdownSignal?: AbortSignal;
  /**
   * The largest response message, in bytes (the server's `grpc.max_send_message_length`): a larger one fails
   * with RESOURCE_EXHAUSTED through `toStatus`, as grpc-js would fail it, but counted and logged as such. Default:
   * no limit.
   */
  readonly maxResponseBytes?: number;
  /**
   * Called once per call when its status is sent (a stream's when it ends; CANCELLED when the client left it),
   * with the call's duration from its arrival in seconds. For metrics; a throw is ignored.
   */
  readonly onCallEnd?: (method: DescMethod, code: status, seconds: number) => void;
}

/** Tells `onCallEnd` that a call that started at `started` (`performance.now()`) ended with `code`. */
function reportCallEnd(options: BindOptions, method: DescMethod, code: status, started: number): void {
  try {
    options.onCallEnd?.(method, code, (performance.now() - started) / 1000);
  } catch {
    // Counting a call must never fail it, nor crash the server.
  }
}

type AnyCall = ServerUnaryCall<AnyMessage, AnyMessage> | ServerWritableStream<AnyMessage, AnyMessage>;

/** The longest delay a Node timer takes: streams outlive any request timeout. */
const STREAM_TIMEOUT_MS = 2 ** 31 - 1;

/** A grpc-js deadline in epoch milliseconds, or +Infinity when there is none. */
export function deadlineMs(deadline: Deadline): number {
  if (deadline instanceof Date) return deadline.getTime();
  return Number.isFinite(deadline) ? Number(deadline) : Number.POSITIVE_INFINITY;
}

/**
 * The call's deadline in epoch milliseconds, or +Infinity when it has none: the client's, capped at
 * `requestTimeoutMs` from the call's arrival by the request deadline interceptor (`request-deadline.ts`).
 */
function clientDeadlineMs(call: AnyCall): number {
  return deadlineMs(call.getDeadline());
}

/** The most the server answers ahead of a client's deadline (see {@link answerBy}). */
const MAX_DEADLINE_LEAD_MS = 50;

/**
 * When to give up on a call whose client gives up at `clientDeadline`: a little earlier (1/10 of the time left, at
 * most {@link MAX_DEADLINE_LEAD_MS}), so that the DEADLINE_EXCEEDED status reaches the client before its own timer
 * fires (the request took time to arrive, and a busy event loop runs timers late). A client that gives up first
 * cancels the stream with RST_STREAM, and a burst of those (every call of a Redis stall timing out at once) trips
 * Node's HTTP/2 rapid-reset guard, which closes the whole connection with GOAWAY INTERNAL_ERROR and fails every
 * other call on it with INTERNAL. The price: a call that would have finished in its last tenth (or last 50 ms)
 * fails a little early; it was about to fail anyway.
 */
export function answerBy(clientDeadline: number, now: number): number {
  if (!Number.isFinite(clientDeadline)) return clientDeadline;
  return clientDeadline - Math.min(Math.max(0, clientDeadline - now) / 10, MAX_DEADLINE_LEAD_MS);
}

/** The deadline timer's callback: module-level, so that no closure is made per call (the call is its argument). */
function expire(scope: CallScope): void {
  scope.abort(new DeadlineExceededError());
}

/**
 * One call's {@link CallContext} and its bookkeeping, made as cheap as the semantics allow (a context used to cost
 * about 10 µs a call): one timer, one "cancelled" listener and no promise of its own; the AbortController is made
 * only when a handler reads `signal`, and the deadline's Date only when it reads `deadline`.
 */
abstract class CallScope implements CallContext {
  readonly method: DescMethod;
  readonly metadata: Metadata;
  protected readonly call: AnyCall;
  protected readonly options: BindOptions;
  private readonly started = performance.now();
  private readonly deadlineMs: number;
  private deadlineDate: Date | undefined;
  private controller: AbortController | undefined;
  /** Why the call was aborted (deadline, client, shutdown); undefined until then. */
  private reason: DeadlineExceededError | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onCancel = () => this.abort(new DeadlineExceededError("call cancelled by the client"));
  /** Set once the call's status is sent: nothing happens to it after that. */
  protected ended = false;

  constructor(method: DescMethod, call: AnyCall, options: BindOptions, timeoutMs: number) {
    this.method = method;
    this.call = call;
    this.options = options;
    this.metadata = call.metadata;
    const now = Date.now();
    this.deadlineMs = Math.min(answerBy(clientDeadlineMs(call), now), now + timeoutMs);
    this.timer = setTimeout(expire, Math.max(0, this.deadlineMs - Date.now()), this);
    call.on("cancelled", this.onCancel);
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get deadline(): Date {
    this.deadlineDate ??= new Date(this.deadlineMs);
    return this.deadlineDate;
  }

  /** Aborts the call once, unless it has ended: its signal fires, then {@link onAbort} decides what follows. */
  abort(reason: DeadlineExceededError): void {
    if (this.ended || this.reason !== undefined) return;
    this.reason = reason;
    this.controller?.abort(reason);
    this.onAbort(reason);
  }

  protected abstract onAbort(reason: DeadlineExceededError): void;

  /** Marks the call ended with `code`: releases the timer and the listener, and reports it (once). */
  protected end(code: status): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.call.off("cancelled", this.onCancel);
    this.release();
    reportCallEnd(this.options, this.method, code, this.started);
  }

  /** Releases what a subclass holds besides the timer and the listener. */
  protected release(): void {}
}

/**
 * A unary call: it ends with the handler's outcome or, if that comes first, the abort reason's status. Shutdown
 * does not abort it: calls in flight are left to finish within the grace period.
 */
class UnaryScope extends CallScope {
  constructor(
    method: DescMethod,
    call: ServerUnaryCall<AnyMessage, AnyMessage>,
    private readonly callback: sendUnaryData<AnyMessage>,
    options: BindOptions,
    private readonly encode: ResponseEncoder,
  ) {
    super(method, call, options, options.requestTimeoutMs);
  }

  /**
   * Runs the handler, and encodes its response. Never rejects: a handler never throws into grpc-js (that would be
   * UNKNOWN).
   */
  async run(handler: UnaryHandler<DescMessage, DescMessage>): Promise<void> {
    const request = this.call.request as AnyMessage | UndecodableRequest;
    if (request instanceof UndecodableRequest) {
      this.fail(request.error);
      return;
    }
    let bytes: Buffer;
    try {
      const response = await handler(request, this);
      if (this.ended) return;
      bytes = this.encode(response);
    } catch (error) {
      this.fail(error);
      return;
    }
    // The bytes go to grpc-js as they are: the method's serializer passes a Buffer through.
    this.callback(null, bytes as unknown as AnyMessage);
    this.end(status.OK);
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    const failure = this.options.toStatus(error, this.method);
    this.callback(failure);
    this.end(failure.code);
  }

  protected onAbort(reason: DeadlineExceededError): void {
    // The call ends now, even if the handler never settles; its result, if it comes, is ignored.
    this.fail(reason);
  }
}

/** A server-streaming call: it lives until the handler's iterable ends, which it does when `signal` aborts. */
class StreamScope extends CallScope {
  private readonly shutdownSignal: AbortSignal | undefined;
  private readonly onShutdown = () => this.abort(new DeadlineExceededError("server shutting down"));

  constructor(
    method: DescMethod,
    call: ServerWritableStream<AnyMessage, AnyMessage>,
    options: BindOptions,
    private readonly encode: ResponseEncoder,
  ) {
    // Streams (health Watch) live until the client leaves or the server stops; the request timeout does not
    // apply to them.
    super(method, call, options, STREAM_TIMEOUT_MS);
    this.shutdownSignal = options.shutdownSignal;
    this.shutdownSignal?.addEventListener("abort", this.onShutdown, { once: true });
  }

  /** Runs the handler and ends the stream. Never rejects. */
  async run(handler: ServerStreamingHandler<DescMessage, DescMessage>): Promise<void> {
    const call = this.call as ServerWritableStream<AnyMessage, AnyMessage>;
    const request = call.request as AnyMessage | UndecodableRequest;
    let code: status;
    try {
      if (request instanceof UndecodableRequest) throw request.error;
      for await (const response of handler(request, this)) {
        call.write(this.encode(response) as unknown as AnyMessage);
      }
      call.end();
      code = call.cancelled ? status.CANCELLED : status.OK;
    } catch (error) {
      if (call.cancelled) {
        code = status.CANCELLED;
      } else {
        const failure = this.options.toStatus(error, this.method);
        call.emit("error", failure);
        code = failure.code;
      }
    }
    this.end(code);
  }

  protected onAbort(): void {
    // Nothing more: the handler's iterable ends when the signal aborts, and run() ends the stream.
  }

  protected override release(): void {
    this.shutdownSignal?.removeEventListener("abort", this.onShutdown);
  }
}

function bindUnary(
  method: DescMethod,
  handler: UnaryHandler<DescMessage, DescMessage>,
  options: BindOptions,
) {
  const encode = responseEncoder(method, options.maxResponseBytes);
  return (call: ServerUnaryCall<AnyMessage, AnyMessage>, callback: sendUnaryData<AnyMessage>) => {
    new UnaryScope(method, call, callback, options, encode).run(handler);
  };
}

function bindServerStreaming(
  method: DescMethod,
  handler: ServerStreamingHandler<DescMessage, DescMessage>,
  options: BindOptions,
) {
  const encode = responseEncoder(method, options.maxResponseBytes);
  return (call: ServerWritableStream<AnyMessage, AnyMessage>) => {
    new StreamScope(method, call, options, encode).run(handler);
  };
}

/**
 * The grpc-js implementation of `service` from typed handlers, to be registered with the definition from
 * `serviceDefinition(service)`. Handler results are plain init objects, encoded here before grpc-js sends them;
 * requests arrive as messages. A request the definition could not decode (an `UndecodableRequest`) never reaches
 * a handler: it is answered with its error's status, counted and logged like any failure.
 */
export function bindService<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  options: BindOptions,
): UntypedServiceImplementation {
  const handlers = impl as unknown as Record<string, (...args: never[]) => unknown>;
  const bound: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = handlers[method.localName];
    if (handler === undefined) throw new Error(`no handler for ${method.parent.typeName}.${method.name}`);
    if (method.methodKind === "unary") {
      bound[method.localName] = bindUnary(method, handler as UnaryHandler<DescMessage, DescMessage>, options);
    } else if (method.methodKind === "server_streaming") {
      bound[method.localName] = bindServerStreaming(
        method,
        handler as ServerStreamingHandler<DescMessage, DescMessage>,
        options,
      );
    } else {
      throw new Error(`${method.methodKind} RPCs are not supported (${method.name})`);
    }
  }
  return bound;
}
