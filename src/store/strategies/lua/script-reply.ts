/**
 * The replies of the record scripts, read in one place: a refusal status becomes the store error it stands for, an
 * ok reply gives its stamp, numbers or record.
 */

import {
  BackendError,
  CorruptRecordError,
  SessionExistsError,
  SessionNotFoundError,
  VersionConflictError,
} from "../../errors.js";
import type { RedisReply } from "../../redis/redis-link.js";
import { type SessionStamp, stampOf } from "../../session.js";
import { ScriptStatus } from "./record-lua.js";

/**
 * The array of a record script's reply whose status is ok. Any other status is thrown as the store error it
 * stands for (see `record-lua.ts` for the statuses).
 */
export function okReply(reply: RedisReply): RedisReply[] {
  if (!Array.isArray(reply)) throw new BackendError("unexpected script reply");
  switch (reply[0]) {
    case ScriptStatus.ok:
      return reply;
    case ScriptStatus.exists:
      throw new SessionExistsError("a session already exists under this key");
    case ScriptStatus.missing:
      throw new SessionNotFoundError("no live session under this key");
    case ScriptStatus.conflict:
      throw new VersionConflictError("the session was changed by another writer", Number(reply[1]));
    case ScriptStatus.corrupt:
      throw new CorruptRecordError("the stored record cannot be decoded");
    default:
      throw new BackendError("unexpected script reply");
  }
}

/** The stamp in an ok `{0, version, created (0: not recorded), expires, idle ttl, ...}` reply. */
export function stampFrom(key: string, reply: RedisReply): SessionStamp {
  const [version, createdAt, expiresAt, idleTtl] = okReply(reply).slice(1, 5);
  if (
    typeof version !== "number" ||
    typeof createdAt !== "number" ||
    typeof expiresAt !== "number" ||
    typeof idleTtl !== "number"
  ) {
    throw new BackendError("unexpected script reply");
  }
  return stampOf(key, { version, createdAt, expiresAt }, idleTtl);
}

/** The number at `index` of an ok reply (a save's header length). */
export function numberFrom(reply: RedisReply, index: number): number {
  const value = okReply(reply)[index];
  if (typeof value !== "number") throw new BackendError("unexpected script reply");
  return value;
}

/** The record at `index` of an ok reply. */
export function recordFrom(reply: RedisReply, index: number): Buffer {
  const record = okReply(reply)[index];
  if (!Buffer.isBuffer(record)) throw new BackendError("unexpected script reply");
  return record;
}
