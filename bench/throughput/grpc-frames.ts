/**
 * Pre-encoded gRPC requests: h2load posts a file's bytes unchanged, so each request body is written once as a
 * gRPC length-prefixed message. The same protobuf bytes are also sent through grpc-js (which adds the same
 * 5-byte prefix), because h2load cannot see the grpc-status trailer: a body the server could not decode would
 * still count as HTTP 200 there.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { Client, credentials, type ServiceError } from "@grpc/grpc-js";

/** A request body as h2load posts it, and the protobuf message inside it. */
export interface RequestBody {
  /** The file h2load's `-d` reads. */
  readonly file: string;
  /** The protobuf bytes (the frame without its prefix). */
  readonly message: Uint8Array;
}

/** A gRPC length-prefixed message: flag 0 (not compressed), 4-byte big-endian length, the protobuf bytes. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return frame;
}

/** Writes `message` framed into `dir/name.grpc`. */
export function writeBody(dir: string, name: string, message: Uint8Array): RequestBody {
  const file = join(dir, `${name}.grpc`);
  writeFileSync(file, grpcFrame(message));
  return { file, message };
}

/**
 * A raw grpc-js client that sends pre-encoded bytes and returns the raw response bytes: no protobuf work on the
 * client side, so the load generator spends as little as possible of the CPU it shares with the service.
 * `grpc.use_local_subchannel_pool` gives each client its own HTTP/2 connection (grpc-js would otherwise share
 * one between clients of the same target); retries and channelz bookkeeping are off, since nothing here uses
 * them and they cost CPU on every call.
 */
export function rawClient(port: number): Client {
  return new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
    "grpc.enable_retries": 0,
    "grpc.enable_channelz": 0,
  });
}

/** Resolves once the client's connection is up. */
export function waitForReady(client: Client, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
  );
}

const identity = (bytes: Buffer): Buffer => bytes;

/** One unary call of `path` with exactly `message` as the request; the response's bytes, or the call's error. */
export function rawUnary(
  client: Client,
  path: string,
  message: Uint8Array,
  timeoutMs = 10_000,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      identity,
      identity,
      Buffer.from(message.buffer, message.byteOffset, message.byteLength),
      { deadline: Date.now() + timeoutMs },
      (error: ServiceError | null, response?: Buffer) =>
        error || response === undefined
          ? reject(error ?? new Error(`${path}: no response`))
          : resolve(response),
    );
  });
}

/**
 * Sends a body's own bytes through grpc-js and decodes the response with `schema`: the proof that the server
 * accepts what h2load posts and answers OK. Rejects with the gRPC error otherwise.
 */
export async function verifyBody<O extends DescMessage>(
  port: number,
  path: string,
  body: RequestBody,
  schema: O,
): Promise<MessageShape<O>> {
  const client = rawClient(port);
  try {
    return fromBinary(schema, await rawUnary(client, path, body.message));
  } catch (error) {
    throw new Error(`${path} with ${body.file} failed: ${(error as Error).message}`);
  } finally {
    client.close();
  }
}
