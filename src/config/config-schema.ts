import { z } from "zod";
import { codecNames } from "../codec/codec.js";
import type { ZstdDictionary } from "../codec/zstd-dictionary.js";
import { durationSeconds, formatDuration, MAX_DURATION_SECONDS } from "./duration.js";
import { filePath, integer, strictMapping } from "./schema-helpers.js";
import { serverSchema } from "./server-schema.js";

/** The default of a connection's `maxPendingCommands`. */
export const DEFAULT_MAX_PENDING_COMMANDS = 10_000;

/** The connection used when the file configures none: a Redis server on this machine. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * The store a request names when it names none (an empty `store` field), and the one store configured when the
 * file has no `stores` key.
 */
export const DEFAULT_STORE = "default";

/** How a store lays sessions out in Redis. See {@link StoreConfig.strategy}. */
export const storeStrategies = ["string", "hash"] as const;

/**
 * The most a store's `maxDataDepth` may be: the service's own wire codec (`src/rpc/wire`) reads and writes at most
 * 100 nested messages (`MAX_MESSAGE_DEPTH`), and each level of objects or lists costs two of them (a Struct or
 * ListValue, and the Value holding it). In a request (CreateSession, SaveSession: request 1, data 2) data of depth
 * d puts its innermost values at message depth 2d + 1; in a response (GetSession, BatchGetSessions,
 * RotateSessionKey: response 1, Session 2, data 3) at 2d + 2. At 49 those are 99 and 100: the request decoder
 * never refuses data a store would accept, and every response carrying it can be encoded. At 50 a response would
 * need 102.
 */
export const MAX_DATA_DEPTH = 49;

/** The default of a store's `requestIdTtl`, in seconds: 10 minutes. */
export const DEFAULT_REQUEST_ID_TTL = 600;

/** The longest `requestIdTtl` a store may have, in seconds (1 day): every remembered request costs Redis memory. */
const MAX_REQUEST_ID_TTL = 86_400;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function nameSchema(kind: "connection" | "store") {
  return z
    .string()
    .regex(
      NAME_PATTERN,
      `is not a valid ${kind} name: use 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit`,
    );
}

const PREFIX_MAX_BYTES = 64;
const prefixMessage = `must be a non-empty string of at most ${PREFIX_MAX_BYTES} bytes (UTF-8)`;

const redisTlsShape = {
  /** The CAs (PEM) to trust for the Redis server's certificate, instead of Node's bundled ones. */
  caFile: filePath("a PEM CA certificate file").optional(),
  /** The client certificate (PEM), for a Redis that requires one (`tls-auth-clients yes`, its default). */
  certFile: filePath("a PEM certificate file").optional(),
  /** The private key (PEM) of `certFile`. */
  keyFile: filePath("a PEM private key file").optional(),
};

const redisConnectionShape = {
  /**
   * Where the Redis server is: `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS. Only these
   * two schemes are accepted. Required for every connection listed in the file. Error messages never repeat the
   * URL, since it may carry a password.
   *
   * @example "rediss://:secret@cache.internal:6380/2"
   */
  url: z.url({
    protocol: /^rediss?$/,
    hostname: /./, // `redis://` and `redis:host` parse as URLs, but without a host

    error: (issue) =>
      issue.input === undefined
        ? "is required (e.g. redis://127.0.0.1:6379)"
        : "must be a redis:// or rediss:// URL with a host (e.g. redis://127.0.0.1:6379)",
  }),
  /**
   * How long to wait for the TCP (and TLS) connection to be established before failing, in milliseconds.
   * An integer from 1 to 60000.
   *
   * @defaultValue 2000
   */
  connectTimeoutMs: integer(1, 60_000).default(2000),
  /**
   * Most commands that may wait on this connection (to be written, or for their reply) at once; beyond it calls
   * fail at once with UNAVAILABLE. While Redis is frozen (accepting bytes, answering none) this is what keeps the
   * service's memory bounded; under normal load it is the deepest burst the connection accepts. An integer from
   * 1 to 1000000.
   *
   * @defaultValue 10000
   */
  maxPendingCommands: integer(1, 1_000_000).default(DEFAULT_MAX_PENDING_COMMANDS),
  /**
   * Certificates for a `rediss://` connection, as PEM files read when the connection is made. Only with a
   * `rediss://` URL. The password or ACL user stays in the URL (`rediss://user:password@host`).
   *
   * @defaultValue none: Node's bundled CAs, no client certificate
   */
  tls: strictMapping(redisTlsShape)
    .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), {
      message: "certFile and keyFile go together (the client certificate and its key)",
      path: ["keyFile"],
    })
    .optional(),
};

/** One entry under `redis` in the file: a named Redis connection, as written (before names are attached). */
export const redisConnectionSchema = strictMapping(redisConnectionShape).refine(
  (connection) => connection.tls === undefined || /^rediss:/i.test(connection.url),
  { message: "needs a rediss:// url: tls settings apply only to TLS connections", path: ["tls"] },
);

/**
 * Most dictionary files one store may list. Each costs memory in every process (its bytes, and a prepared
 * decompression context once a record needs it); a list this long means retired dictionaries are never dropped.
 */
const MAX_DICTIONARIES = 16;

/** One entry of `zstdDictionaries` as written: a file path. */
const dictionaryPath = z
  .string({ error: "must be the path of a zstd dictionary file" })
  .min(1, "must be the path of a zstd dictionary file");

const dictionaryList = z
  .array(dictionaryPath, { error: "must be a list of zstd dictionary files" })
  .refine((paths) => paths.length <= MAX_DICTIONARIES, {
    message: `must list at most ${MAX_DICTIONARIES} dictionary files`,
  })
  .transform((paths): readonly string[] => Object.freeze(paths));

const storeShape = {
  /**
   * The name of the connection (a key under `redis`) the store keeps its sessions on. It must exist.
   *
   * @defaultValue "default"
   */
  redis: z.string({ error: "must be the name of a connection under redis" }).default("default"),
  /**
   * How sessions are laid out in Redis. `"string"`: one String key per session, expired by Redis itself.
   * `"hash"`: sessions are fields of `2^bucketBits` Hash keys (buckets), far fewer bytes per session when there
   * are many small ones; expired fields are removed when met and by a sweep.
   *
   * @defaultValue "hash"
   */
  strategy: z.enum(storeStrategies, { error: 'must be "string" or "hash"' }).default("hash"),
  /**
   * Prepended to every Redis key the store writes. Non-empty, at most 64 bytes in UTF-8. Stores on the same
   * connection must not have prefixes where one is a prefix of the other, since they would share keys.
   *
   * @defaultValue `${storeName}:`, e.g. `"default:"`
   */
  prefix: z
    .string({ error: prefixMessage })
    .refine(
      (prefix) => prefix.length > 0 && Buffer.byteLength(prefix, "utf8") <= PREFIX_MAX_BYTES,
      prefixMessage,
    )
    .optional(),
  /**
   * For the `"hash"` strategy: sessions are spread over `2^bucketBits` buckets. An integer from 1 to 24.
   * Validated but unused with the `"string"` strategy.
   *
   * @defaultValue 16 (65536 buckets)
   */
  bucketBits: integer(1, 24).default(16),
  /**
   * How session payloads are compressed; one of `"none"`, `"zstd"`, `"gzip"`, `"brotli"`, `"zstd-dict"`.
   * Changing it needs no migration: each record names the codec it was written with.
   *
   * `"zstd-dict"` is zstd with a dictionary trained on the store's own sessions (see `zstdDictionaries`): it stores
   * small sessions, whose keys and shapes repeat across users rather than within one record, several times smaller
   * than `"zstd"`, at about the same speed. It needs at least one file in `zstdDictionaries`.
   *
   * @defaultValue "zstd"
   */
  codec: z.enum(codecNames, { error: `must be one of ${codecNames.join(", ")}` }).default("zstd"),
  /**
   * zstd dictionary files for the `"zstd-dict"` codec, made with `redisession train-dictionary` (or
   * `zstd --train`). New payloads are compressed with the first; records written with any listed dictionary are
   * read, whatever `codec` is now. Each record names its dictionary by a hash of the file's content, so the file
   * name and order do not matter to it.
   *
   * To roll to a new dictionary, put its file first and keep the old ones listed for as long as sessions written
   * with them can live (`maxTtl`, or `maxLifetime`); a record whose dictionary is no longer listed reads as corrupt
   * (DATA_LOSS). Never replace a dictionary file's content in place: that drops the old dictionary at the next
   * start.
   *
   * Relative paths are resolved against the directory of the configuration file (the working directory for
   * configuration given in code). Each file is read once, at start-up, and must be a zstd dictionary of at most
   * 1 MiB; at most 16 files. A trained dictionary holds fragments of the sessions it was trained on: protect the
   * files like the sessions. Their content never appears in logs or in `ListStores`.
   *
   * @defaultValue `[]` (none)
   */
  zstdDictionaries: dictionaryList.default([]),
  /**
   * Payloads smaller than this many bytes are stored uncompressed, where compression rarely pays off.
   * An integer of at least 0 (0 compresses everything).
   *
   * @defaultValue 400
   */
  compressMinBytes: integer(0).default(400),
  /**
   * The TTL, in seconds, a session gets when the client does not ask for one: how long it lives unless saved
   * or touched again.
   * A duration (seconds, or a string like `"14d"`), from 1 second to 2^31-1 seconds; at most `maxTtl`.
   *
   * @defaultValue 14 days (1209600 seconds; Django's `SESSION_COOKIE_AGE`)
   */
  defaultTtl: durationSeconds({ min: 1, max: MAX_DURATION_SECONDS }).default(14 * 86_400),
  /**
   * The longest TTL a client may request for a session. A duration from 1 second to 2^31-1
   * seconds, and at least `defaultTtl`.
   *
   * @defaultValue 30 days (2592000 seconds)
   */
  maxTtl: durationSeconds({ min: 1, max: MAX_DURATION_SECONDS }).default(30 * 86_400),
  /**
   * An absolute limit on a session's life, counted from its creation no matter how often it is written:
   * afterwards it is gone even if still in use. A duration of at most 2^31-1 seconds; `0` means unlimited.
   *
   * @defaultValue 0 (unlimited)
   */
  maxLifetime: durationSeconds({ min: 0, max: MAX_DURATION_SECONDS }).default(0),
  /**
   * The largest session accepted, measured as the size of its JSON encoding before compression, in bytes.
   * An integer from 64 to 67108864 (64 MiB).
   *
   * @defaultValue 1048576 (1 MiB)
   */
  maxSessionBytes: integer(64, 64 * 1024 * 1024).default(1024 * 1024),
  /**
   * How deeply session data may nest objects and lists: the data object itself is depth 1, each object or list
   * inside it one level more (`{"a": 1}` is 1, `{"a": [1]}` is 2). A deeper write is refused with
   * INVALID_ARGUMENT and nothing is stored; a stored session deeper than this (written before the limit was
   * lowered, or by hand) reads as corrupt (DATA_LOSS). An integer from 1 to {@link MAX_DATA_DEPTH} (49).
   *
   * Why 32: every mainstream protobuf runtime must be able to read the data back, and most stop at 100 nested
   * messages. Python's protobuf counts an object level as three (the Struct, its map entry and the Value holding
   * the next level): it reads a GetSessionResponse whose data nests objects 33 levels deep and fails from 34
   * (measured with Debian's python3-protobuf 4.21). 32 stays within that with a level to spare.
   *
   * @defaultValue 32
   */
  maxDataDepth: integer(1, MAX_DATA_DEPTH).default(32),
  /**
   * How long a request's `request_id` (CreateSession, RotateSessionKey; Google's AIP-155) is remembered: a repeat
   * with the same id within this time answers what the first request did instead of creating a second session
   * or losing the rotated one. A duration from 1 second to 1 day. Each remembered request is one small Redis
   * key under the store's prefix for this long: about 210 bytes of Redis memory (measured with Redis 7.0), so a
   * store creating 1,000 sessions a second, every one with a request_id, holds about 130 MB of them at the
   * default. Clients retry within seconds; longer only helps those that retry after long outages. A request
   * whose first attempt is still running when its id is forgotten may be done twice.
   *
   * @defaultValue 10 minutes (600 seconds)
   */
  requestIdTtl: durationSeconds({ min: 1, max: MAX_REQUEST_ID_TTL }).default(DEFAULT_REQUEST_ID_TTL),
  /**
   * Whether to log keys that fail to parse (e.g. probes with forged session keys). Logged keys are redacted.
   *
   * @defaultValue false
   */
  logKeyErrors: z.boolean({ error: "must be true or false" }).default(false),
};

/** One entry under `stores` in the file: a named session store, as written (before names are attached). */
export const storeSchema = strictMapping(storeShape);

/** A Redis connection as the rest of the code sees it: every default applied. */
export interface RedisConnectionConfig extends Readonly<z.output<typeof redisConnectionSchema>> {
  /** The connection's key under `redis` in the file; stores refer to it by this name. */
  readonly name: string;
}

/**
 * A session store as {@link configSchema} validates it: every default applied, its dictionary files named by path
 * and not yet read (parsing reads no files; see {@link StoreConfig}).
 */
export interface ParsedStoreConfig extends Readonly<z.output<typeof storeSchema>> {
  /** The store's key under `stores` in the file. */
  readonly name: string;
  /**
   * Prepended to every Redis key the store writes. Non-empty, at most 64 bytes in UTF-8; never a prefix of (or
   * prefixed by) the prefix of another store on the same connection.
   *
   * @defaultValue `${name}:`, e.g. `"default:"`
   */
  readonly prefix: string;
}

/** A session store as the rest of the code sees it: every default applied, its dictionary files read. */
export interface StoreConfig extends Omit<ParsedStoreConfig, "zstdDictionaries"> {
  /**
   * The dictionaries of the files the store's `zstdDictionaries` lists, in its order, each read and checked at
   * start-up, after validation (what the field means: {@link ParsedStoreConfig.zstdDictionaries}).
   */
  readonly zstdDictionaries: readonly ZstdDictionary[];
}

/** How a store lays sessions out in Redis: `"string"` or `"hash"`. */
export type StoreStrategy = StoreConfig["strategy"];

function nameConnections(
  connections: Record<string, z.output<typeof redisConnectionSchema>>,
): Readonly<Record<string, RedisConnectionConfig>> {
  const named: Record<string, RedisConnectionConfig> = {};
  for (const [name, connection] of Object.entries(connections)) {
    named[name] = Object.freeze({ name, ...connection });
  }
  return Object.freeze(named);
}

function resolveStores(
  stores: Record<string, z.output<typeof storeSchema>>,
): Readonly<Record<string, ParsedStoreConfig>> {
  const resolved: Record<string, ParsedStoreConfig> = {};
  for (const [name, store] of Object.entries(stores)) {
    resolved[name] = Object.freeze({ name, ...store, prefix: store.prefix ?? `${name}:` });
  }
  return Object.freeze(resolved);
}

const configShape = {
  /**
   * Named Redis connections, like django-redisession's `REDIS_CONFIG`. Connection names are 1 to 64 letters,
   * digits, `_`, `.` or `-`, starting with a letter or digit. The environment variable `REDIS_URL` overrides
   * (or creates) `redis.default.url`.
   *
   * @defaultValue `{ default: { url: "redis://127.0.0.1:6379" } }`, only when the file has no `redis` key
   */
  redis: z
    .record(nameSchema("connection"), redisConnectionSchema, {
      error: (issue) =>
        issue.code === "invalid_type" ? "must be a mapping of connection names to connections" : undefined,
    })
    .prefault({ default: { url: DEFAULT_REDIS_URL } })
    .transform(nameConnections),
  /**
   * Named session stores, like django-redisession's `REDIS_SESSION_CONFIG`; at least one. Store names follow the
   * same rules as connection names.
   *
   * @defaultValue `{ default: {} }`: one store named `default` with every default, only when the file has no
   *   `stores` key
   */
  stores: z
    .record(nameSchema("store"), storeSchema, {
      error: (issue) =>
        issue.code === "invalid_type" ? "must be a mapping of store names to stores" : undefined,
    })
    .refine((stores) => Object.keys(stores).length > 0, "must define at least one store")
    .prefault({ [DEFAULT_STORE]: {} })
    .transform(resolveStores),
  /**
   * How the gRPC server listens, times out and shuts down. See {@link ServerConfig}.
   *
   * @defaultValue every field's default
   */
  server: serverSchema.prefault({}),
};

/**
 * The whole configuration file. Parsing it applies every default, attaches names, checks references between
 * fields, and freezes the result.
 */
export const configSchema = strictMapping(configShape)
  // Cross-field rules need every field valid (and the transforms above run), so they wait for a clean parse.
  .superRefine(
    (config, ctx) => {
      const connectionNames = Object.keys(config.redis);
      const storesByConnection = new Map<string, ParsedStoreConfig[]>();
      for (const store of Object.values(config.stores)) {
        // `in` would also find inherited names such as "constructor".
        if (!Object.hasOwn(config.redis, store.redis)) {
          ctx.addIssue({
            code: "custom",
            path: ["stores", store.name, "redis"],
            message: `names connection "${store.redis}", which is not defined under redis (defined: ${connectionNames.join(", ") || "none"})`,
          });
        }
        if (store.codec === "zstd-dict" && store.zstdDictionaries.length === 0) {
          ctx.addIssue({
            code: "custom",
            path: ["stores", store.name, "zstdDictionaries"],
            message:
              'must list at least one dictionary file when codec is "zstd-dict" (make one with `redisession train-dictionary`)',
          });
        }
        if (store.defaultTtl > store.maxTtl) {
          ctx.addIssue({
            code: "custom",
            path: ["stores", store.name, "maxTtl"],
            message: `must be at least defaultTtl (${formatDuration(store.defaultTtl)}), but is ${formatDuration(store.maxTtl)}`,
          });
        }
        const neighbours = storesByConnection.get(store.redis) ?? [];
        const clash = neighbours.find(
          (other) => other.prefix.startsWith(store.prefix) || store.prefix.startsWith(other.prefix),
        );
        if (clash !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["stores", store.name, "prefix"],
            message: `"${store.prefix}" overlaps the prefix "${clash.prefix}" of store "${clash.name}" on connection "${store.redis}"; the two stores would share keys`,
          });
        }
        storesByConnection.set(store.redis, [...neighbours, store]);
      }
    },
    { when: (payload) => payload.issues.length === 0 },
  )
  .readonly();

/** The configuration as {@link configSchema} validates it: dictionary files named, not yet read. Deeply frozen. */
export type ParsedConfig = z.output<typeof configSchema>;

/**
 * The validated configuration, every default applied and every store's dictionary files read: what `loadConfig`
 * and `parseConfig` return. Deeply frozen.
 */
export type Config = Readonly<
  Omit<ParsedConfig, "stores"> & { readonly stores: Readonly<Record<string, StoreConfig>> }
>;

/** The configuration as written in a file or passed to `parseConfig`: every field optional except `url`. */
export type ConfigInput = z.input<typeof configSchema>;

const keysByLevel = {
  root: Object.keys(configShape),
  server: Object.keys(serverSchema.shape),
  connection: Object.keys(redisConnectionShape),
  store: Object.keys(storeShape),
};

/**
 * The keys the schema allows in the mapping at `path` (e.g. `["stores", "default"]`), used to suggest the
 * intended key when an unknown one is found. Empty for paths that are not mappings with fixed keys.
 */
export function keysAllowedAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return keysByLevel.root;
  if (path.length === 1 && path[0] === "server") return keysByLevel.server;
  if (path.length === 2 && path[0] === "redis") return keysByLevel.connection;
  if (path.length === 2 && path[0] === "stores") return keysByLevel.store;
  return [];
}
