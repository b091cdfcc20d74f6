import { create, type DescMessage, type DescMethod, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type CallOptions as GrpcCallOptions,
  type Client as GrpcClient,
  type Metadata,
  type MethodDefinition,
  status,
} from "@grpc/grpc-js";
import type { AnyMessage } from "../rpc/method-definitions.js";
import { toMetadata } from "./client-options.js";
import type { CallOptions } from "./client-types.js";
import { SessionServiceError, toSessionServiceError } from "./service-error.js";

/**
 * One unary call as a promise: the request is built from its init object, the call gets its deadline, metadata and
 * abort signal, and every failure (before, during or after the call) becomes a `SessionServiceError`. The same
 * function serves every method; what differs is only the method descriptor and its grpc-js definition.
 */

/** What every call of one client shares. */
export interface UnaryCallContext {
  readonly client: GrpcClient;
  /** See `ServiceClientOptions.defaultTimeoutMs`; `0` is no deadline. */
  readonly defaultTimeoutMs: number;
  /** The client's metadata; each call sends a copy with its own entries added. */
  readonly metadata: Metadata;
}

/**
 * Makes one unary call of `method`.
 *
 * @param context - the client's channel and defaults.
 * @param method - the method's descriptor: its input schema builds the request.
 * @param definition - the method's grpc-js definition (path and binary (de)serializers) from `methodDefinition`.
 * @param init - the request as an init object (or a message) of `method.input`.
 * @param options - the call's own deadline, signal and metadata.
 * @returns the response message; rejects only with {@link SessionServiceError}.
 */
export function callUnary(
  context: UnaryCallContext,
  method: DescMethod,
  definition: MethodDefinition<AnyMessage, AnyMessage>,
  init: unknown,
  options: CallOptions = {},
): Promise<AnyMessage> {
  return new Promise<AnyMessage>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      // Nothing is sent for a call that was cancelled before it began.
      reject(
        new SessionServiceError(status.CANCELLED, "call aborted before it started", { cause: signal.reason }),
      );
      return;
    }
    let request: AnyMessage;
    let metadata: Metadata;
    let callOptions: GrpcCallOptions;
    try {
      request = create(method.input, init as MessageInitShape<DescMessage>);
      metadata = toMetadata(options.metadata, context.metadata);
      callOptions = deadlineOption(options.timeoutMs ?? context.defaultTimeoutMs);
    } catch (error) {
      // The request or the options could not be used; nothing was sent, like a server's INVALID_ARGUMENT.
      reject(toSessionServiceError(error, status.INVALID_ARGUMENT));
      return;
    }

    let settled = false;
    let onAbort: (() => void) | undefined;
    const settle = (error: unknown, response: AnyMessage | undefined): void => {
      settled = true;
      if (onAbort !== undefined) {
        // The listener holds the call; an AbortSignal reused for many calls must not keep them all alive.
        signal?.removeEventListener("abort", onAbort);
      }
      if (error !== null && error !== undefined) {
        reject(toSessionServiceError(error));
      } else if (response === undefined) {
        reject(new SessionServiceError(status.INTERNAL, "the call ended with OK but no response message"));
      } else {
        resolve(response);
      }
    };
    try {
      const call = context.client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        metadata,
        callOptions,
        settle,
      );
      if (signal !== undefined && !settled) {
        // grpc-js ends a cancelled call with CANCELLED ("Cancelled on client") through the same callback.
        onAbort = () => call.cancel();
        signal.addEventListener("abort", onAbort, { once: true });
      }
    } catch (error) {
      // grpc-js throws synchronously only for a channel that is shut down or arguments it cannot take.
      if (!settled) {
        settle(error, undefined);
      }
    }
  });
}

/**
 * The grpc-js call options for a timeout: an absolute deadline, or none for `0`.
 *
 * @throws RangeError for a negative or non-finite timeout.
 */
function deadlineOption(timeoutMs: number): GrpcCallOptions {
  if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
    throw new RangeError(`timeoutMs must be a finite number of at least 0, got ${timeoutMs}`);
  }
  return timeoutMs === 0 ? {} : { deadline: Date.now() + timeoutMs };
}
