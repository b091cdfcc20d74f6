import type { DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { InputOf, OutputOf } from "../rpc/method-definitions.js";

/**
 * The types of a client derived from a protobuf-es service descriptor, in the manner of connect-es's `Client<Desc>`:
 * the generated `GenService<{ createSession: { methodKind: "unary"; input; output }, ... }>` already carries each
 * method's kind and message schemas, so mapping over `Desc["method"]` gives a typed method per RPC with nothing
 * written by hand. Adding an RPC to the proto adds it to the client type on the next `buf generate`.
 */

/** Options of one call. Every field is optional. */
export interface CallOptions {
  /**
   * The call's deadline, in milliseconds from now. Replaces the client's `defaultTimeoutMs` for this call; `0`
   * means no deadline. It covers every retry attempt, not each one. Default: the client's `defaultTimeoutMs`.
   */
  readonly timeoutMs?: number | undefined;
  /** Aborting it cancels the call, which then rejects with `CANCELLED`. Default: none. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Request metadata (headers) for this call, added to the client's `metadata`; an entry here replaces the
   * client's entry of the same key. Keys are lowercased by grpc-js. Default: none.
   */
  readonly metadata?: Readonly<Record<string, string>> | undefined;
}

/**
 * One RPC as a client method: it takes a plain init object of the request (every field optional, nested messages
 * as plain objects, `google.protobuf.Struct` as a JSON object, `Duration` as `{ seconds: bigint, nanos? }`) and
 * resolves with the full response message. It rejects only with `SessionServiceError`.
 */
export type UnaryMethod<M> = (
  request: MessageInitShape<InputOf<M>>,
  options?: CallOptions,
) => Promise<MessageShape<OutputOf<M>>>;

/**
 * The local names (`createSession`, …) of a service's unary methods. Streaming methods are left out: this client
 * has no streaming API yet, so typing them would promise methods that do not exist at run time. `close` is left
 * out too, as it would collide with the client's own `close()`; `createClient` refuses such a service.
 */
export type UnaryMethodName<S extends DescService> = Exclude<
  {
    [K in keyof S["method"]]: S["method"][K] extends { readonly methodKind: "unary" } ? K : never;
  }[keyof S["method"]],
  "close"
> &
  string;

/**
 * A promise-based client of a service: one {@link UnaryMethod} per unary RPC, keyed by the RPC's local name, and
 * `close()`.
 */
export type ServiceClient<S extends DescService> = {
  readonly [K in UnaryMethodName<S>]: UnaryMethod<S["method"][K]>;
} & {
  /**
   * Closes the channel. Calls made afterwards reject with `CANCELLED`; calls already on the wire are left to
   * finish (grpc-js fails those still waiting for a connection with `UNAVAILABLE`). Idempotent.
   */
  close(): void;
};
