import type { DescService } from "@bufbuild/protobuf";
import { Client as GrpcClient, status } from "@grpc/grpc-js";
import { methodDefinition } from "../rpc/method-definitions.js";
import { resolveClientSettings, type ServiceClientOptions } from "./client-options.js";
import type { CallOptions, ServiceClient } from "./client-types.js";
import { SessionServiceError } from "./service-error.js";
import { callUnary, type UnaryCallContext } from "./unary-call.js";

/**
 * Makes a promise-based client of any protobuf-es service over one grpc-js channel. The methods are built by
 * walking `service.methods` at run time, and typed by mapping over `typeof service` (see {@link ServiceClient}),
 * so the two agree by construction and no method is written by hand.
 *
 * Only unary methods are supported: streaming ones are left out of both the type and the object, until a caller
 * needs them (they would want an async-iterable API, not a promise).
 *
 * ```ts
 * const client = createClient(SessionService, "127.0.0.1:50051", { retryableMethods: ["getSession"] });
 * const { session } = await client.getSession({ key }, { timeoutMs: 1000 });
 * client.close();
 * ```
 *
 * @param service - the generated service descriptor, e.g. `SessionService`.
 * @param target - the server, as grpc-js takes it: `host:port`, `dns:///host:port`, `unix:/path`, …
 * @param options - credentials, deadlines, retries, metadata and channel options; see
 *   {@link ServiceClientOptions} for each default.
 * @throws TypeError or RangeError for invalid options, and TypeError when the service has an RPC whose local name
 *   is `close`.
 */
export function createClient<S extends DescService>(
  service: S,
  target: string,
  options: ServiceClientOptions<S> = {},
): ServiceClient<S> {
  if (service.methods.some((method) => method.localName === "close")) {
    // It would be shadowed by (or shadow) the client's own close(); better to refuse than to surprise.
    throw new TypeError(`${service.typeName} has an RPC named "close", which this client cannot expose`);
  }
  const settings = resolveClientSettings(service, options);
  const grpcClient = new GrpcClient(target, settings.credentials, settings.channelOptions);
  const context: UnaryCallContext = {
    client: grpcClient,
    defaultTimeoutMs: settings.defaultTimeoutMs,
    metadata: settings.metadata,
  };
  let closed = false;

  const client: Record<string, unknown> = {
    close(): void {
      if (!closed) {
        closed = true;
        grpcClient.close();
      }
    },
  };
  for (const method of service.methods) {
    if (method.methodKind !== "unary") {
      continue; // Not in ServiceClient<S> either; see above.
    }
    const definition = methodDefinition(method);
    client[method.localName] = (request: unknown, callOptions?: CallOptions) => {
      if (closed) {
        // grpc-js would throw "Channel has been shut down"; CANCELLED (as grpc-go answers) rather than
        // UNAVAILABLE, so that callers' retry-on-UNAVAILABLE loops stop instead of spinning on a closed client.
        return Promise.reject(new SessionServiceError(status.CANCELLED, "the client was closed"));
      }
      return callUnary(context, method, definition, request, callOptions);
    };
  }
  // The one cast: the object built from service.methods at run time is the type mapped over S["method"].
  return Object.freeze(client) as ServiceClient<S>;
}
