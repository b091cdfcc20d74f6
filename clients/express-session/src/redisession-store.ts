import { randomBytes } from "node:crypto";
import {
  Code,
  createSessionClient,
  DataFormat,
  duration,
  SaveCondition,
  type SessionClient,
  type SessionClientOptions,
  SessionServiceError,
  sessionData,
} from "@redisession/client";
import type { Request } from "express";
import expressSession, { type SessionData } from "express-session";
import { SessionStoreError } from "./store-error.js";

/** Options of a {@link RedisessionStore}, besides where its client comes from. Every field is optional. */
export interface RedisessionStoreOptions {
  /** The service's session store the sessions live in (the request field `store`). Default: `""`, its `default`. */
  readonly storeName?: string | undefined;
  /**
   * Save with compare-and-set on the session's version: a request saves only if nobody saved the session since
   * the request read it, and otherwise fails with a {@link SessionStoreError} (`status` 409, `reason`
   * `"VERSION_MISMATCH"`) instead of overwriting the other request's change. Default: `true`. With `false`, the
   * last save wins (as with most stores), but a session deleted meanwhile is still never brought back.
   */
  readonly compareAndSet?: boolean | undefined;
  /**
   * The idle TTL of sessions whose cookie has no `maxAge` (browser-session cookies), in seconds or as `"30m"`.
   * Default: the service store's `defaultTtl`. Sessions with a `maxAge` live as long as their cookie.
   */
  readonly ttl?: number | string | undefined;
}

/**
 * Where a {@link RedisessionStore}'s client comes from: a `client` made by the caller (who closes it), or a
 * `target` and the options of `createSessionClient` (the store makes the client; `close()` closes it).
 */
export type RedisessionStoreConfig = RedisessionStoreOptions &
  ({ readonly client: SessionClient } | ({ readonly target: string } & SessionClientOptions));

/** What a store knows about a session it read or wrote, kept beside the session object, never in its data. */
interface SessionState {
  /** The version the service last answered for the session. */
  readonly version: number;
  /** The data as last read or written, without the cookie's `expires` (see {@link fingerprintOf}). */
  readonly fingerprint: string | undefined;
}

const { Store } = expressSession;

/**
 * An express-session store that keeps sessions in a redisession service:
 * `session({ store, genid: store.genid, secret, ... })`.
 *
 * - `get` reads the session; a missing or expired one (or a cookie whose id is not a session key) is `null`.
 * - `set` writes it: a new session with MUST_CREATE, a known one with compare-and-set on its version (see
 *   {@link RedisessionStoreOptions.compareAndSet}); one whose data did not change is only touched, so that
 *   `resave: true` costs no write and makes no conflict.
 * - `touch` slides the expiry without rewriting the data (`rolling`, `resave: false`).
 * - `destroy` deletes it.
 * - `regenerate` moves the session to a fresh key with RotateSessionKey (the old key stops working at once), then
 *   lets express-session start the new, empty session under that key. This needs `genid: store.genid`; with
 *   another `genid` it deletes the rotated session, as express-session's own destroy-then-generate does.
 *
 * Failures reach express as `next(err)` with a {@link SessionStoreError} (gRPC `code`, `reason`, HTTP `status`).
 */
export class RedisessionStore extends Store {
  readonly #client: SessionClient;
  readonly #ownsClient: boolean;
  readonly #storeName: string;
  readonly #compareAndSet: boolean;
  readonly #ttl: number | undefined;
  /** Keyed by the data object `get` answers, then by the Session express-session makes from it. */
  readonly #states = new WeakMap<object, SessionState>();
  /** The key a regeneration rotated to, for `genid` to hand to express-session's `generate(req)`. */
  readonly #rotatedKeys = new WeakMap<object, string>();

  /** Added by the express-session middleware: starts a new session on `req` under a key from `genid`. */
  declare generate: (req: Request) => void;

  /**
   * @throws TypeError or RangeError for invalid client options or an invalid `ttl`.
   */
  constructor(config: RedisessionStoreConfig) {
    super();
    const { storeName, compareAndSet, ttl, ...source } = config;
    if ("client" in source) {
      this.#client = source.client;
      this.#ownsClient = false;
    } else {
      const { target, ...clientOptions } = source;
      this.#client = createSessionClient(target, clientOptions);
      this.#ownsClient = true;
    }
    this.#storeName = storeName ?? "";
    this.#compareAndSet = compareAndSet ?? true;
    this.#ttl = ttl === undefined ? undefined : Number(duration(ttl).seconds);
  }

  /**
   * Makes a session id the service accepts (32 lowercase hex characters from 128 random bits, as the service
   * makes them), or during `regenerate` the key the session was rotated to. Pass it as express-session's `genid`.
   */
  readonly genid = (req?: object): string =>
    (req === undefined ? undefined : this.#rotatedKeys.get(req)) ?? randomBytes(16).toString("hex");

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const read = this.#client.getSession({ store: this.#storeName, key: sid, dataFormat: DataFormat.JSON });
    settle(
      read.then(({ session }) => {
        const text =
          session?.content.case === "dataJson" ? session.content.value : JSON.stringify(sessionData(session));
        const data = JSON.parse(text) as SessionData;
        // A session written by another kind of client may lack express-session's cookie, which it cannot do without.
        data.cookie ??= {} as SessionData["cookie"];
        this.#states.set(data, { version: session?.version ?? 0, fingerprint: fingerprintOf(text) });
        return data;
      }),
      (error) => (isMissing(error) ? null : storeError("cannot read the session", error)),
      callback,
    );
  }

  /** Remembers the version `get` read for the Session express-session makes of the data (and on `reload`). */
  override createSession(req: Request, data: SessionData): expressSession.Session & SessionData {
    const state = this.#states.get(data);
    const session = super.createSession(req, data);
    if (state !== undefined) this.#states.set(session, state);
    return session;
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    const text = JSON.stringify(session);
    const fingerprint = fingerprintOf(text);
    const known = this.#states.get(session);
    const base = { store: this.#storeName, key: sid, idleTtl: this.#idleTtl(session) };
    if (known?.fingerprint === fingerprint) {
      // Unchanged since read or saved: slide the expiry only (no new version, nothing for a writer to lose).
      this.#touch(base, callback);
      return;
    }
    const condition =
      known === undefined
        ? { condition: SaveCondition.MUST_CREATE }
        : this.#compareAndSet
          ? { condition: SaveCondition.EXPECTED_VERSION, expectedVersion: known.version }
          : { condition: SaveCondition.MUST_EXIST };
    const save = this.#client.saveSession({
      ...base,
      ...condition,
      content: { case: "dataJson", value: text },
    });
    settle(
      save.then(({ session: info }) => {
        this.#states.set(session, { version: info?.version ?? 0, fingerprint });
      }),
      (error) => storeError("cannot save the session", error),
      callback,
    );
  }

  override touch(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    this.#touch({ store: this.#storeName, key: sid, idleTtl: this.#idleTtl(session) }, callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    settle(
      this.#client.deleteSession({ store: this.#storeName, key: sid }).then(() => undefined),
      (error) => (isMissing(error) ? undefined : storeError("cannot delete the session", error)),
      callback,
    );
  }

  override regenerate(req: Request, callback: (err?: unknown) => void): void {
    const rotation = this.#client.rotateSessionKey({ store: this.#storeName, key: req.sessionID });
    settle(
      rotation.then(({ session: rotated }) => rotated),
      (error) => (isMissing(error) ? undefined : storeError("cannot rotate the session key", error)),
      (error, rotated) => {
        if (rotated === undefined) {
          // Nothing to rotate, or a failure: as express-session's own regenerate, a new session either way, and
          // the failure (if any) reported.
          this.generate(req);
          callback(error ?? undefined);
          return;
        }
        this.#rotatedKeys.set(req, rotated.key);
        try {
          this.generate(req);
        } finally {
          this.#rotatedKeys.delete(req);
        }
        if (req.sessionID === rotated.key) {
          // The new, empty session replaces the rotated data on its first save, which must find that version.
          this.#states.set(req.session, { version: rotated.version, fingerprint: undefined });
          callback();
        } else {
          // Another genid made the id: nobody will hold the rotated key, so it goes (destroy-then-generate).
          this.destroy(rotated.key, callback);
        }
      },
    );
  }

  /** Closes the client if the store made it (from `target`); a client passed in is the caller's to close. */
  close(): void {
    if (this.#ownsClient) this.#client.close();
  }

  #touch(
    request: { store: string; key: string; idleTtl: ReturnType<typeof duration> | undefined },
    callback: ((err?: unknown) => void) | undefined,
  ): void {
    settle(
      this.#client.touchSession(request).then(() => undefined),
      // Gone meanwhile (expired, or logged out by another request): nothing to slide, and nothing to bring back.
      (error) => (isMissing(error) ? undefined : storeError("cannot touch the session", error)),
      callback,
    );
  }

  /**
   * The idle TTL: the cookie's `maxAge` as configured (`originalMaxAge`: express-session resets the cookie to it on
   * every request, so the session slides as the cookie does) in whole seconds, else the `ttl` option, else the
   * store's.
   */
  #idleTtl(session: SessionData): ReturnType<typeof duration> | undefined {
    const maxAge = session.cookie?.originalMaxAge;
    const seconds = typeof maxAge === "number" ? Math.max(1, Math.ceil(maxAge / 1000)) : this.#ttl;
    return seconds === undefined ? undefined : duration(seconds);
  }
}

/**
 * The session's data as compared to decide between a save and a touch: its JSON without the cookie's `expires`,
 * which express-session moves on every request (`rolling`) though nothing the application wrote changed, and with
 * the cookie's `originalMaxAge` in whole seconds, as the idle TTL has it: express-session recomputes it from the
 * clock each time it moves `expires` (`expires - Date.now()`), so it comes out a few milliseconds short whenever
 * the clock ticks in between, on a busy machine often. A maxAge the application changes still tells.
 */
function fingerprintOf(text: string): string {
  const { cookie, ...data } = JSON.parse(text) as { cookie?: Record<string, unknown> };
  const { expires: _expires, originalMaxAge, ...settings } = cookie ?? {};
  const maxAgeSeconds =
    typeof originalMaxAge === "number" ? Math.ceil(originalMaxAge / 1000) : originalMaxAge;
  return JSON.stringify([data, settings, maxAgeSeconds]);
}

/** A missing or expired session, or an id that cannot be a session key: no session, not a failure. */
function isMissing(error: unknown): boolean {
  return (
    error instanceof SessionServiceError &&
    (error.code === Code.NOT_FOUND ||
      (error.code === Code.INVALID_ARGUMENT && error.reason === "MALFORMED_KEY"))
  );
}

function storeError(message: string, error: unknown): SessionStoreError | Error {
  return error instanceof SessionServiceError
    ? new SessionStoreError(message, error)
    : new Error(message, { cause: error });
}

/**
 * Calls express-session's callback with the promise's outcome, outside the promise chain: an exception thrown by
 * the callback (the application's code runs inside it) surfaces as such instead of becoming a rejection.
 * `onError` turns a failure into the error to report, or into a value (`null`, `undefined`) when it is none.
 */
function settle<T>(
  promise: Promise<T>,
  onError: (error: unknown) => T | Error,
  callback: ((err: unknown, value?: T) => void) | undefined,
): void {
  promise.then(
    (value) => process.nextTick(() => callback?.(null, value)),
    (error: unknown) => {
      const outcome = onError(error);
      process.nextTick(() => (outcome instanceof Error ? callback?.(outcome) : callback?.(null, outcome)));
    },
  );
}
