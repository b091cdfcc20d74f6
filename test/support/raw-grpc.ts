import { create, type DescMethod, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { Client, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { type AnyMessage, methodDefinition } from "../../src/rpc/method-definitions.js";

/** A plain grpc-js channel for calling services the shipped client does not cover (health, reflection). */
export function rawClient(target: string): Client {
  return new Client(target, credentials.createInsecure());
}

/** One unary call through `client`, with `metadata` (none by default). */
export function unary<M extends DescMethod>(
  client: Client,
  method: M,
  request: MessageInitShape<M["input"]>,
  timeoutMs = 2_000,
  metadata = new Metadata(),
): Promise<MessageShape<M["output"]>> {
  const definition = methodDefinition(method);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      create(method.input, request) as AnyMessage,
      metadata,
      { deadline: Date.now() + timeoutMs },
      (error, response) => (error ? reject(error) : resolve(response as MessageShape<M["output"]>)),
    );
  });
}

/** Calls grpc.health.v1.Health/Check. */
export function healthCheck(client: Client, service = "") {
  return unary(client, Health.method.check, { service });
}

/** Opens grpc.health.v1.Health/Watch; collects every status it streams until `cancel()`. */
export function healthWatch(client: Client, service = "") {
  const definition = methodDefinition(Health.method.watch);
  const statuses: number[] = [];
  let ended = false;
  const call = client.makeServerStreamRequest(
    definition.path,
    definition.requestSerialize,
    definition.responseDeserialize,
    create(Health.method.watch.input, { service }) as AnyMessage,
    new Metadata(),
    {},
  );
  call.on("data", (message: MessageShape<typeof Health.method.watch.output>) =>
    statuses.push(message.status),
  );
  call.on("error", () => {
    ended = true;
  });
  call.on("end", () => {
    ended = true;
  });
  return {
    statuses,
    get ended() {
      return ended;
    },
    cancel: () => call.cancel(),
  };
}

/** How a call with raw request bytes ended: its status, and the response's bytes when it succeeded. */
export interface RawOutcome {
  readonly code: status;
  readonly details: string;
  readonly response?: Buffer;
  /** A failed call's trailers (its error details among them). */
  readonly trailers?: Metadata;
}

/**
 * One unary call of `method` whose request is `body`, sent as it is, with `metadata`: no serializer of ours or of
 * any library looks at it (grpc-js only frames it), so bytes no client would send reach the server.
 */
export function unaryBytes(
  client: Client,
  method: DescMethod,
  body: Uint8Array,
  timeoutMs = 10_000,
  metadata = new Metadata(),
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      methodDefinition(method).path,
      (raw: Buffer) => raw,
      (raw: Buffer) => raw,
      Buffer.from(body),
      metadata,
      { deadline: Date.now() + timeoutMs },
      (error: ServiceError | null, response?: Buffer) =>
        resolve(
          error === null
            ? { code: status.OK, details: "", response }
            : { code: error.code, details: error.details, trailers: error.metadata },
        ),
    );
  });
}
