import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { type ChannelCredentials, type ChannelOptions, credentials, Metadata } from "@grpc/grpc-js";
import type { UnaryMethodName } from "./client-types.js";
import { buildServiceConfig, type RetryOptions, resolveRetryOptions } from "./service-config.js";

/**
 * Trust roots and a client certificate for TLS, as PEM buffers (e.g. `readFileSync("ca.pem")`). Every field is
 * optional; `tls: {}` trusts Node's bundled CAs. The server's certificate must name the host of the target
 * (`127.0.0.1` needs an IP subjectAltName); to connect by another name, set the channel option
 * `grpc.ssl_target_name_override`.
 */
export interface TlsOptions {
  /** The CAs to trust, e.g. the one that signed the server's certificate. Default: Node's bundled root CAs. */
  readonly rootCerts?: Buffer | undefined;
  /**
   * The client's private key, for a server with `server.tls.clientCaFile` (mutual TLS); given together with
   * `certChain`. Default: none.
   */
  readonly privateKey?: Buffer | undefined;
  /** The client's certificate chain, for mutual TLS; given together with `privateKey`. Default: none. */
  readonly certChain?: Buffer | undefined;
}

/** Options of a client of the service `S`. Every field is optional. */
export interface ServiceClientOptions<S extends DescService> {
  /**
   * The channel's credentials, for anything `tls` cannot express. Not together with `tls`. Default: insecure
   * (plaintext), unless `tls` is given.
   */
  readonly credentials?: ChannelCredentials | undefined;
  /** Connect over TLS with these certificates (`credentials.createSsl`). Not together with `credentials`. */
  readonly tls?: TlsOptions | undefined;
  /**
   * The deadline every call gets unless its own `timeoutMs` says otherwise, in milliseconds from the call's start.
   * `0` disables it. A call with no deadline waits as long as the server takes. Default: 5000.
   */
  readonly defaultTimeoutMs?: number | undefined;
  /**
   * How the `retryableMethods` are retried on UNAVAILABLE, or `false` for no retries (grpc-js still retries an
   * attempt transparently when it never reached the server's handlers). Default: {@link RetryOptions}' defaults.
   */
  readonly retry?: RetryOptions | false | undefined;
  /**
   * The local names of the methods that are safe to retry: those a server may carry out twice with the same effect.
   * Default: the methods the proto declares `idempotency_level = IDEMPOTENT` or `NO_SIDE_EFFECTS`.
   */
  readonly retryableMethods?: readonly UnaryMethodName<S>[] | undefined;
  /**
   * A bearer token for a server with `server.auth`: every call sends the metadata `authorization: Bearer <token>`.
   * Visible ASCII without spaces. Over a plaintext channel it crosses the network in clear, so use `tls` beyond
   * loopback. Not together with an `authorization` entry in `metadata`. Default: none.
   */
  readonly token?: string | undefined;
  /** Metadata (headers) sent with every call. Default: none. */
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /**
   * grpc-js channel options, passed through. They win over the ones the client sets (`grpc.service_config`,
   * `grpc.enable_retries`, `grpc.service_config_disable_resolution`), so an explicit `grpc.service_config` here
   * replaces the retry policy `retry` would build. Default: none.
   */
  readonly channelOptions?: ChannelOptions | undefined;
}

/** The default of {@link ServiceClientOptions.defaultTimeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 5000;

/** Everything a client needs from its options, checked and with defaults filled in. */
export interface ClientSettings {
  readonly credentials: ChannelCredentials;
  readonly channelOptions: ChannelOptions;
  readonly defaultTimeoutMs: number;
  /** The metadata of every call; clone it before adding to it. */
  readonly metadata: Metadata;
}

/**
 * Checks `options` and turns them into what grpc-js takes. Mistakes throw here, when the client is made, rather
 * than on the first call.
 *
 * @throws TypeError for contradictory options, an unusable `token`, or an unknown or streaming method in
 *   `retryableMethods`; RangeError
 *   for out-of-range numbers; grpc-js's Error for an invalid metadata key or value.
 */
export function resolveClientSettings<S extends DescService>(
  service: S,
  options: ServiceClientOptions<S>,
): ClientSettings {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(defaultTimeoutMs) && defaultTimeoutMs >= 0)) {
    throw new RangeError(`defaultTimeoutMs must be a finite number of at least 0, got ${defaultTimeoutMs}`);
  }
  const retry = options.retry === false ? false : resolveRetryOptions(options.retry);
  const serviceConfig = buildServiceConfig(
    service,
    retryableMethods(service, options.retryableMethods),
    retry,
  );
  const generated = {
    "grpc.service_config": JSON.stringify(serviceConfig),
    // grpc-js treats anything but 0 as on; stated anyway, as the retry policy above means nothing without it.
    "grpc.enable_retries": 1,
    // Otherwise a DNS TXT record of the target's host could replace this config (and its retry policy).
    "grpc.service_config_disable_resolution": 1,
  } satisfies ChannelOptions;
  return {
    credentials: channelCredentials(options),
    channelOptions: { ...generated, ...options.channelOptions },
    defaultTimeoutMs,
    metadata: toMetadata(withToken(options.metadata, options.token)),
  };
}

/** A token that fits RFC 6750's header syntax closely enough for any server: visible ASCII, no spaces. */
const TOKEN = /^[\x21-\x7e]+$/;

/**
 * The client's metadata with `authorization: Bearer <token>` added.
 *
 * @throws TypeError for a token with spaces or non-ASCII characters (the message does not repeat it), or both
 *   `token` and an `authorization` metadata entry.
 */
function withToken(
  metadata: Readonly<Record<string, string>> | undefined,
  token: string | undefined,
): Readonly<Record<string, string>> | undefined {
  if (token === undefined) return metadata;
  if (!TOKEN.test(token)) {
    throw new TypeError("token must be a non-empty string of visible ASCII characters without spaces");
  }
  if (Object.keys(metadata ?? {}).some((key) => key.toLowerCase() === "authorization")) {
    throw new TypeError("give either token or an authorization metadata entry, not both");
  }
  return { ...metadata, authorization: `Bearer ${token}` };
}

/** The channel credentials: explicit ones, TLS ones, or insecure. */
function channelCredentials(options: {
  credentials?: ChannelCredentials | undefined;
  tls?: TlsOptions | undefined;
}): ChannelCredentials {
  if (options.credentials !== undefined && options.tls !== undefined) {
    throw new TypeError("give either credentials or tls, not both");
  }
  if (options.tls !== undefined) {
    const { rootCerts, privateKey, certChain } = options.tls;
    return credentials.createSsl(rootCerts ?? null, privateKey ?? null, certChain ?? null);
  }
  return options.credentials ?? credentials.createInsecure();
}

/** The methods to retry: the named ones, or by default those the proto declares idempotent. */
function retryableMethods(service: DescService, names: readonly string[] | undefined): DescMethod[] {
  if (names === undefined) {
    return service.methods.filter(
      (method) =>
        method.methodKind === "unary" &&
        method.idempotency !== MethodOptions_IdempotencyLevel.IDEMPOTENCY_UNKNOWN,
    );
  }
  return names.map((name) => {
    // Object.hasOwn: a name like "toString" must not find something on the prototype.
    const method = Object.hasOwn(service.method, name) ? service.method[name] : undefined;
    if (method === undefined || method.methodKind !== "unary") {
      throw new TypeError(`retryableMethods: ${service.typeName} has no unary method "${name}"`);
    }
    return method;
  });
}

/**
 * grpc-js metadata from a plain record, on top of a copy of `base` when given (the record's entries replace
 * `base`'s of the same key: Metadata.set, not add). grpc-js validates keys and values here and throws on a bad one
 * (a `-bin` key would need a Buffer).
 */
export function toMetadata(entries: Readonly<Record<string, string>> | undefined, base?: Metadata): Metadata {
  const metadata = base?.clone() ?? new Metadata();
  for (const [key, value] of Object.entries(entries ?? {})) {
    metadata.set(key, value);
  }
  return metadata;
}
