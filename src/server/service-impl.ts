import {
  create,
  type DescMessage,
  type DescMethod,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import {
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { AnyMessage } from "../rpc/method-definitions.js";
import { type CallFailure, DeadlineExceededError } from "./call-errors.js";

/** What a handler knows about the call it serves. */
export interface CallContext {
  /** Aborted when the client cancels, the deadline passes, or the server shuts down. */
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

function callContext(
  method: DescMethod,
  call: ServerUnaryCall<AnyMessage, AnyMessage> | ServerWritableStream<AnyMessage, AnyMessage>,
  options: BindOptions,
): { context: CallContext; done: () => void } {
  const controller = new AbortController();
  const clientDeadline = call.getDeadline();
  const clientMs =
    clientDeadline instanceof Date
      ? clientDeadline.getTime()
      : Number.isFinite(clientDeadline)
        ? Number(clientDeadline)
        : Number.POSITIVE_INFINITY;
  const deadlineMs = Math.min(clientMs, Date.now() + options.requestTimeoutMs);
  const timer = setTimeout(
    () => controller.abort(new DeadlineExceededError()),
    Math.max(0, deadlineMs - Date.now()),
  );
  const onCancel = () => controller.abort(new DeadlineExceededError("call cancelled by the client"));
  call.on("cancelled", onCancel);
  // Only streams end at shutdown; unary calls in flight are left to finish within the grace period.
  const endOnShutdown = method.methodKind === "server_streaming" ? options.shutdownSignal : undefined;
  const onShutdown = () => controller.abort(new DeadlineExceededError("server shutting down"));
  endOnShutdown?.addEventListener("abort", onShutdown, { once: true });
  return {
    context: { signal: controller.signal, deadline: new Date(deadlineMs), metadata: call.metadata, method },
    done() {
      clearTimeout(timer);
      call.off("cancelled", onCancel);
      endOnShutdown?.removeEventListener("abort", onShutdown);
    },
  };
}

/** Settles with the handler's result, or rejects with the abort reason as soon as the call's signal fires. */
function raceSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function bindUnary(
  method: DescMethod,
  handler: UnaryHandler<DescMessage, DescMessage>,
  options: BindOptions,
) {
  return (call: ServerUnaryCall<AnyMessage, AnyMessage>, callback: sendUnaryData<AnyMessage>) => {
    const started = performance.now();
    const { context, done } = callContext(method, call, options);
    // A handler never throws into grpc-js (that would be UNKNOWN): every outcome becomes a status here.
    raceSignal(
      Promise.resolve().then(() => handler(call.request, context)),
      context.signal,
    )
      .then(
        (response) => {
          callback(null, create(method.output, response));
          return status.OK;
        },
        (error: unknown) => {
          const failure = options.toStatus(error, method);
          callback(failure);
          return failure.code;
        },
      )
      .then((code) => reportCallEnd(options, method, code, started))
      .finally(done);
  };
}

function bindServerStreaming(
  method: DescMethod,
  handler: ServerStreamingHandler<DescMessage, DescMessage>,
  options: BindOptions,
) {
  return (call: ServerWritableStream<AnyMessage, AnyMessage>) => {
    const started = performance.now();
    // Streams (health Watch) live until the client leaves or the server stops; the request timeout does not
    // apply to them.
    const { context, done } = callContext(method, call, { ...options, requestTimeoutMs: 2 ** 31 - 1 });
    (async () => {
      // The handler's iterable ends when the context's signal aborts (client gone, server stopping).
      for await (const response of handler(call.request, context))
        call.write(create(method.output, response));
    })()
      .then(
        () => {
          call.end();
          return call.cancelled ? status.CANCELLED : status.OK;
        },
        (error: unknown) => {
          if (call.cancelled) return status.CANCELLED;
          const failure = options.toStatus(error, method);
          call.emit("error", failure);
          return failure.code;
        },
      )
      .then((code) => reportCallEnd(options, method, code, started))
      .finally(done);
  };
}

/**
 * The grpc-js implementation of `service` from typed handlers, to be registered with the definition from
 * `serviceDefinition(service)`. Handler results are plain init objects; requests arrive as messages.
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
