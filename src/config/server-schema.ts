import { z } from "zod";
import { filePath, integer, strictMapping } from "./schema-helpers.js";

const MAX_MS = 3_600_000;

const sweepShape = {
  /**
   * How often each hash store's expired sessions are swept, in milliseconds; 0 turns the in-server sweeper off
   * (sweep with `redisession cleanup` or the PurgeExpired RPC instead). Integer from 0 to 86400000.
   *
   * @defaultValue 60000
   */
  intervalMs: integer(0, 86_400_000).default(60_000),
  /**
   * Buckets one run sweeps at most, continuing where the previous run (of any replica) stopped. Integer from 1 to
   * 16777216.
   *
   * @defaultValue 4096
   */
  bucketsPerRun: integer(1, 2 ** 24).default(4096),
  /**
   * How long a replica's sweep lease lasts without renewal, in milliseconds: with several replicas on one store
   * only the lease holder sweeps, and a crashed holder's lease expires after this. Integer from 1000 to 3600000.
   *
   * @defaultValue 30000
   */
  leaseMs: integer(1_000, MAX_MS).default(30_000),
};

const metricsShape = {
  /**
   * Whether to serve Prometheus metrics over HTTP at `/metrics`.
   *
   * @defaultValue true
   */
  enabled: z.boolean({ error: "must be true or false" }).default(true),
  /**
   * The address the metrics endpoint listens on.
   *
   * @defaultValue "0.0.0.0"
   */
  host: z
    .string({ error: "must be a host name or IP address" })
    .min(1, "must not be empty")
    .default("0.0.0.0"),
  /**
   * The metrics endpoint's TCP port; 0 picks a free one (tests). Integer from 0 to 65535.
   *
   * @defaultValue 9464
   */
  port: integer(0, 65_535).default(9464),
};

const tlsShape = {
  /** The server's certificate chain (PEM): its own certificate first, then any intermediates. Required. */
  certFile: filePath("a PEM certificate file"),
  /** The private key (PEM) of `certFile`. Required. */
  keyFile: filePath("a PEM private key file"),
  /**
   * The CA certificates (PEM) that sign client certificates. Setting it turns on mutual TLS.
   *
   * @defaultValue none: clients are not asked for a certificate
   */
  clientCaFile: filePath("a PEM CA certificate file").optional(),
  /**
   * With `clientCaFile`: whether a client must present a certificate signed by it. `false` asks for one but
   * accepts the connection without it, or with one the CA did not sign (Node's `rejectUnauthorized: false`);
   * certificates grant nothing here — tokens do — so `false` only serves to roll mutual TLS out. Only valid
   * together with `clientCaFile`.
   *
   * @defaultValue true
   */
  requireClientCert: z.boolean({ error: "must be true or false" }).optional(),
};

/** The environment variable names a shell can set: letters, digits and `_`, not starting with a digit. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const authShape = {
  /**
   * A file of token hashes, one token per line: `<sha256 hex of the token> <scopes> <stores>`; see
   * docs/security.md, "Bearer tokens". Read once at start-up. Exactly one of `tokenFile` and `tokenEnv`.
   */
  tokenFile: filePath("a token hash file").optional(),
  /**
   * The name of an environment variable holding token hashes in the same format as `tokenFile` (entries separated
   * by newlines or `;`). Read once at start-up. Exactly one of `tokenFile` and `tokenEnv`.
   *
   * @example "REDISESSION_TOKENS"
   */
  tokenEnv: z
    .string({ error: "must be the name of an environment variable" })
    .regex(ENV_NAME, 'must be the name of an environment variable (letters, digits and "_")')
    .optional(),
};

const authSchema = strictMapping(authShape).refine(
  (auth) => (auth.tokenFile === undefined) !== (auth.tokenEnv === undefined),
  "must set exactly one of tokenFile and tokenEnv",
);

/** Who may use an optional service: anyone, callers with an `admin` token, or nobody (not served at all). */
export const serviceAccessLevels = ["open", "admin", "off"] as const;

/** See {@link serviceAccessLevels}. */
export type ServiceAccess = (typeof serviceAccessLevels)[number];

function accessSchema() {
  return z.enum(serviceAccessLevels, { error: 'must be "open", "admin" or "off"' }).optional();
}

const serverShape = {
  /**
   * The address to listen on. `0.0.0.0` accepts connections on every IPv4 interface; `127.0.0.1` only locally.
   *
   * @defaultValue "0.0.0.0"
   */
  host: z
    .string({ error: "must be a host name or IP address" })
    .min(1, "must not be empty")
    .default("0.0.0.0"),
  /**
   * The TCP port to listen on; 0 picks a free one (tests). The `serve --port` flag overrides it.
   *
   * @defaultValue 50051
   */
  port: integer(0, 65_535).default(50_051),
  /**
   * Longest time any call may take, whatever deadline its client set (or none), counted from the first bytes of
   * the call (its HTTP/2 HEADERS frame): bounds the work one call can hold the server to, and the time a client may
   * take to send its request. A call whose request has not fully arrived by then is answered DEADLINE_EXCEEDED and
   * its stream reset, however slowly its bytes still trickle in. A health Watch stream's request must arrive in
   * this time; the stream then lives until the client leaves. Integer milliseconds from 1 to 3600000.
   *
   * @defaultValue 10000
   */
  requestTimeoutMs: integer(1, MAX_MS).default(10_000),
  /**
   * On SIGTERM or SIGINT the server reports NOT_SERVING, refuses new calls, and waits this long for calls in
   * flight before closing their connections. Integer milliseconds from 0 to 3600000.
   *
   * @defaultValue 10000
   */
  shutdownGraceMs: integer(0, MAX_MS).default(10_000),
  /**
   * Largest request or response message, in bytes. Integer from 1024 to 67108864 (64 MiB); keep it above the
   * stores' `maxSessionBytes` plus some room for the envelope.
   *
   * @defaultValue 4194304 (4 MiB, gRPC's usual default)
   */
  maxMessageBytes: integer(1024, 64 * 1024 * 1024).default(4 * 1024 * 1024),
  /**
   * Calls one connection may have in flight (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); a client's further calls wait
   * on its side until one ends. Integer from 1 to 1048576.
   *
   * Why bounded: when calls outlive their deadlines (an overloaded host), each one a client gives up on is a
   * RST_STREAM, and Node's HTTP/2 layer takes a burst of resets as the "rapid reset" attack and closes the whole
   * connection with GOAWAY INTERNAL_ERROR, failing every call on it with INTERNAL; the client reconnects and does it
   * again. With a bound, the backlog waits in the client, where a call that times out was never sent.
   *
   * @defaultValue 256
   */
  maxConcurrentStreams: integer(1, 1024 * 1024).default(256),
  /**
   * Connections the server holds open at once, in every state (TLS handshake, waiting for the HTTP/2 preface,
   * serving calls, idle). A connection beyond it makes room by closing the oldest connection still in its
   * handshake, so that connections that never send the preface cannot keep new clients out; when every open
   * connection is past its handshake, the new one is closed as soon as it is accepted, before reading anything from
   * it. Both are logged at most once per 10 s with their count. Each connection costs the process a
   * file descriptor, and without a bound a flood of connections exhausts them (`ulimit -n`): then Redis connections
   * and the metrics endpoint fail too, and new clients cannot connect. Keep it below the process's open-file limit
   * minus about 100 (Redis connections, the metrics endpoint, Node's own); the server warns at start-up when it is
   * not (Linux). Integer from 1 to 16777216.
   *
   * @defaultValue 900 (fits the common limit of 1024 open files)
   */
  maxConnections: integer(1, 2 ** 24).default(900),
  /**
   * How long a new connection has to complete its handshake: the TLS handshake (with `tls`), then the 24-byte
   * HTTP/2 connection preface every gRPC client sends first. A connection that has not is closed. Until then it
   * holds one of `maxConnections` while sending nothing useful (a port scanner, a stalled or hostile client).
   * Integer milliseconds from 100 to 120000.
   *
   * @defaultValue 5000
   */
  handshakeTimeoutMs: integer(100, 120_000).default(5_000),
  /**
   * How long a connection may stay idle, with no call in flight, before the server closes it (gracefully: HTTP/2
   * GOAWAY, and the client reconnects for its next call, as gRPC's `max_connection_idle` does). Bounds what
   * connections that stopped calling hold; a Watch stream keeps its connection busy. 0 keeps idle connections open
   * (keepalive pings still close dead ones). Integer milliseconds from 0 to 3600000.
   *
   * @defaultValue 300000 (5 minutes)
   */
  maxConnectionIdleMs: integer(0, MAX_MS).default(300_000),
  /**
   * How often the server pings an idle connection to detect dead peers (HTTP/2 PING). Integer milliseconds from
   * 1000 to 3600000.
   *
   * @defaultValue 60000
   */
  keepaliveTimeMs: integer(1_000, MAX_MS).default(60_000),
  /**
   * How long the server waits for a keepalive ping's answer before closing the connection. Integer milliseconds
   * from 1000 to 3600000.
   *
   * @defaultValue 20000
   */
  keepaliveTimeoutMs: integer(1_000, MAX_MS).default(20_000),
  /**
   * How often the health status is refreshed by pinging every Redis connection. Integer milliseconds from 100 to
   * 60000.
   *
   * @defaultValue 1000
   */
  healthIntervalMs: integer(100, 60_000).default(1_000),
  /**
   * The in-server sweeper of hash stores. See each field.
   *
   * @defaultValue every field's default
   */
  sweep: strictMapping(sweepShape).prefault({}),
  /**
   * The Prometheus metrics endpoint. See each field.
   *
   * @defaultValue every field's default
   */
  metrics: strictMapping(metricsShape).prefault({}),
  /**
   * TLS for the gRPC listener, and mutual TLS with `clientCaFile`. See each field.
   *
   * @defaultValue none: plaintext
   */
  tls: strictMapping(tlsShape)
    .refine((tls) => tls.requireClientCert === undefined || tls.clientCaFile !== undefined, {
      message: "requireClientCert needs clientCaFile (the CA that signs client certificates)",
      path: ["requireClientCert"],
    })
    .optional(),
  /**
   * Bearer tokens: every call but health checks must carry `authorization: Bearer <token>` whose SHA-256 hash is
   * listed, granting the call's scope on the call's store. See each field.
   *
   * @defaultValue none: every call is allowed
   */
  auth: authSchema.optional(),
  /**
   * Server reflection (what grpcurl uses to list and describe services): `"open"`, `"admin"` (only with `auth`:
   * callers with an `admin` token) or `"off"`.
   *
   * @defaultValue `"admin"` with `auth`, `"open"` without
   */
  reflection: accessSchema(),
  /**
   * SessionAdminService (PurgeExpired, GetStoreStats, ListStores): `"open"`, `"admin"` (only with `auth`) or
   * `"off"`.
   *
   * @defaultValue `"admin"` with `auth`, `"open"` without
   */
  adminService: accessSchema(),
};

/** The `server` section of the configuration file. */
export const serverSchema = strictMapping(serverShape).superRefine((server, ctx) => {
  for (const field of ["reflection", "adminService"] as const) {
    if (server[field] === "admin" && server.auth === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: '"admin" needs server.auth: without tokens, no caller can be an admin',
      });
    }
  }
});

/** How the gRPC server listens, times out and shuts down; every default applied. */
export type ServerConfig = Readonly<z.output<typeof serverSchema>>;

/** The TLS settings of the listener (`server.tls`). */
export type ServerTlsConfig = NonNullable<ServerConfig["tls"]>;

/** Where the token hashes are (`server.auth`). */
export type AuthConfig = NonNullable<ServerConfig["auth"]>;

/**
 * Who may use reflection and the admin service, defaults resolved: `"admin"` when `auth` is configured, `"open"`
 * otherwise, unless the configuration says.
 */
export function serviceAccess(server: ServerConfig): {
  readonly reflection: ServiceAccess;
  readonly adminService: ServiceAccess;
} {
  const fallback = server.auth === undefined ? "open" : "admin";
  return {
    reflection: server.reflection ?? fallback,
    adminService: server.adminService ?? fallback,
  };
}
