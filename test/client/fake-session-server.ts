import { create, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import {
  type Deadline,
  Metadata,
  Server,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { onTestFinished } from "vitest";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import {
  createSessionClient,
  type SessionClient,
  type SessionClientOptions,
} from "../../src/client/index.js";
import {
  type AnyMessage,
  type InputOf,
  type OutputOf,
  serviceDefinition,
} from "../../src/rpc/method-definitions.js";
import { bindLoopback } from "../support/bind-loopback.js";

/**
 * A real grpc-js server of SessionService on 127.0.0.1 with scripted handlers, for testing the client's behaviour
 * exactly (no Redis). It records every call it receives; methods without a handler answer UNIMPLEMENTED.
 */

type Methods = (typeof SessionService)["method"];

/** The local name of a SessionService method. */
export type MethodName = keyof Methods & string;

/** A scripted handler: answers with a response init object, or throws a {@link StatusError}. */
export type ScriptedHandler<K extends MethodName> = (
  request: MessageShape<InputOf<Methods[K]>>,
  call: ServerUnaryCall<AnyMessage, AnyMessage>,
) => MessageInitShape<OutputOf<Methods[K]>> | Promise<MessageInitShape<OutputOf<Methods[K]>>>;

/** Handlers by method; any may be left out. */
export type ScriptedHandlers = { [K in MethodName]?: ScriptedHandler<K> };

/** What a handler throws to end the call with a status. */
export class StatusError extends Error {
  constructor(
    readonly code: status,
    readonly details: string,
    readonly trailers?: Metadata,
  ) {
    super(details);
  }
}

/** A call as the server received it. */
export interface ReceivedCall {
  readonly method: MethodName;
  readonly request: AnyMessage;
  readonly metadata: Metadata;
  /** Infinity when the client set no deadline. */
  readonly deadline: Deadline;
}

/** A running fake server. */
export interface FakeServer {
  /** `127.0.0.1:<port>`. */
  readonly target: string;
  /** Every call received, in order. */
  readonly calls: ReceivedCall[];
  /** How many calls of `method` were received. */
  count(method: MethodName): number;
}

/** A handler that never answers: the call ends only by the client's deadline or cancellation. */
export function never(): Promise<never> {
  return new Promise<never>(() => {});
}

/** Starts a server with `handlers`; it is force-shut-down when the current test finishes. */
export async function startFakeServer(handlers: ScriptedHandlers): Promise<FakeServer> {
  const calls: ReceivedCall[] = [];
  const implementation: UntypedServiceImplementation = {};
  for (const method of SessionService.methods) {
    const name = method.localName as MethodName;
    // One signature for all: each handler gets the request type of its own method at run time.
    const handler = handlers[name] as
      | ((request: AnyMessage, call: ServerUnaryCall<AnyMessage, AnyMessage>) => unknown)
      | undefined;
    implementation[name] = (
      call: ServerUnaryCall<AnyMessage, AnyMessage>,
      callback: sendUnaryData<AnyMessage>,
    ) => {
      calls.push({
        method: name,
        request: call.request,
        metadata: call.metadata,
        deadline: call.getDeadline(),
      });
      if (handler === undefined) {
        callback({ code: status.UNIMPLEMENTED, details: `${method.name} is not scripted` });
        return;
      }
      Promise.resolve()
        .then(() => handler(call.request, call))
        .then(
          (init) => callback(null, create(method.output, init as MessageInitShape<typeof method.output>)),
          (error: unknown) =>
            callback(
              error instanceof StatusError
                ? { code: error.code, details: error.details, metadata: error.trailers ?? new Metadata() }
                : { code: status.INTERNAL, details: `handler failed: ${String(error)}` },
            ),
        );
    };
  }

  const server = new Server();
  server.addService(serviceDefinition(SessionService), implementation);
  const port = await bindLoopback(server);
  onTestFinished(() => server.forceShutdown());
  return {
    target: `127.0.0.1:${port}`,
    calls,
    count: (method) => calls.filter((call) => call.method === method).length,
  };
}

/** A session client of `target`, closed when the current test finishes. */
export function connect(target: string, options?: SessionClientOptions): SessionClient {
  const client = createSessionClient(target, options);
  onTestFinished(() => client.close());
  return client;
}

/** A target nobody listens on: the port of a server that was started and shut down again. */
export async function deadTarget(): Promise<string> {
  const server = new Server();
  const port = await bindLoopback(server);
  server.forceShutdown();
  return `127.0.0.1:${port}`;
}

/** The rejection of `promise`, which must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
