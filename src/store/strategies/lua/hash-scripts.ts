/**
 * Scripts of the hash strategy: KEYS[1] is the bucket, a Redis Hash whose fields are sessions. Redis 7.0 cannot
 * expire a field, so every script judges the expiry in the record header, and one that meets an expired field
 * deletes it (lazily, atomically with its own check, so a session re-saved meanwhile is never deleted).
 */

import { LuaScript } from "../../redis/lua-script.js";
import { RECORD_LUA } from "./record-lua.js";

/**
 * What a read runs once a plain HGET has found the field dead (a live read never needs a script): deletes it if
 * it is still dead, or answers the record a writer saved since.
 * ARGV: field, now, lifetime.
 * Reply: the record, or nil when no live session (an expired one is deleted). A corrupt record is returned as is
 * for the caller to report.
 */
export const HASH_GET = new LuaScript(
  "hash-get",
  `${RECORD_LUA}
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then return false end
if inspect(value, tonumber(ARGV[2]), tonumber(ARGV[3])) == 'dead' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return false
end
return value
`,
);

/**
 * Many sessions in one call, from any number of buckets (BatchGetSessions): KEYS are the distinct buckets;
 * ARGV: now, lifetime, field length, then one string of every session asked for, each as its bucket's index
 * into KEYS (1-based, uint16 big-endian) followed by its field. One argument rather than two per session:
 * node-redis spends about a microsecond on every Buffer argument it sends, more than the script spends on a field.
 * Reply: one element per session, in order: the record, or nil as in {@link HASH_GET} (expired fields deleted).
 */
export const HASH_GET_MANY = new LuaScript(
  "hash-get-many",
  `${RECORD_LUA}
local now, lifetime, field_bytes, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local records = {}
for at = 1, #wanted, 2 + field_bytes do
  local bucket = KEYS[struct.unpack('>I2', wanted, at)]
  local field = string.sub(wanted, at + 2, at + 1 + field_bytes)
  local value = redis.call('HGET', bucket, field)
  if value and inspect(value, now, lifetime) == 'dead' then
    redis.call('HDEL', bucket, field)
    value = false
  end
  -- false, not nil: a nil would end the array here; false goes back as a nil reply in its place.
  records[#records + 1] = value
end
return records
`,
);

/**
 * ARGV: field, now, ttl (0: the session's own), default ttl, max ttl, lifetime, condition, expected version,
 * codec id, payload.
 * Reply: {0, version, created (0: not stored), expires, idle ttl, header bytes} or a refusal (see record-lua.ts).
 */
export const HASH_SAVE = new LuaScript(
  "hash-save",
  `${RECORD_LUA}
local bucket, field, a = KEYS[1], ARGV[1], save_args(2)
local state, header = inspect(redis.call('HGET', bucket, field), a.now, a.lifetime)
local record, reply = saved_record(state, header, a)
if not record then return reply end
redis.call('HSET', bucket, field, record)
return reply
`,
);

/**
 * Rewrites only the expiry bytes of a live field (the whole header when the idle TTL changes); the payload never
 * leaves Redis.
 * ARGV: field, now, ttl (0: the session's own), default ttl, max ttl, lifetime, with_value ('1' to also return
 * the record).
 * Reply: {0, version, created (0: not stored), expires, idle ttl[, record]}, {2} when no live session, {4} when
 * corrupt. The record returned is the one read, before the touch: its payload is what the caller wants.
 */
export const HASH_TOUCH = new LuaScript(
  "hash-touch",
  `${RECORD_LUA}
local bucket, field, a = KEYS[1], ARGV[1], touch_args(2)
local value = redis.call('HGET', bucket, field)
local state, header = inspect(value, a.now, a.lifetime)
if state == 'corrupt' then return {4} end
if state == 'dead' then redis.call('HDEL', bucket, field) end
if state ~= 'live' then return {2} end
local rewritten, expires, seconds = touched(value, header, a)
redis.call('HSET', bucket, field, rewritten or (pack_expiry(expires) .. string.sub(value, 5)))
return touch_reply(header, expires, seconds, a, value)
`,
);

/**
 * ARGV: field, now, lifetime.
 * Reply: 1 when a live (or corrupt) session was deleted, 0 when there was none or only an expired one.
 */
export const HASH_DELETE = new LuaScript(
  "hash-delete",
  `${RECORD_LUA}
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
if inspect(value, tonumber(ARGV[2]), tonumber(ARGV[3])) == 'dead' then return 0 end
return 1
`,
);

/**
 * Moves a live field to a new field of the same bucket in one step, if it still holds the record the caller read
 * (and checked) before.
 * ARGV: old field, new field, now, lifetime, expected record.
 * Reply: {0}, {1} when the new field is taken, {2} when no live session, {3, version} when the record is
 * no longer the expected one, {4} when corrupt.
 */
export const HASH_ROTATE = new LuaScript(
  "hash-rotate",
  `${RECORD_LUA}
local bucket, old_field, new_field = KEYS[1], ARGV[1], ARGV[2]
local value = redis.call('HGET', bucket, old_field)
local state, header = inspect(value, tonumber(ARGV[3]), tonumber(ARGV[4]))
if state == 'corrupt' then return {4} end
if state == 'dead' then redis.call('HDEL', bucket, old_field) end
if state ~= 'live' then return {2} end
if value ~= ARGV[5] then return {3, header.version} end
if redis.call('HSETNX', bucket, new_field, value) == 0 then return {1} end
redis.call('HDEL', bucket, old_field)
return {0}
`,
);

/**
 * Deletes the expired fields of one bucket, comparing each value's 4-byte expiry prefix inside Redis; values are
 * never returned. Fields whose header is malformed are counted and left alone; a key that is not a Hash is
 * skipped.
 * ARGV: now. Reply: {fields scanned, fields removed, corrupt fields}.
 */
export const HASH_SWEEP_BUCKET = new LuaScript(
  "hash-sweep-bucket",
  `${RECORD_LUA}
local bucket, now = KEYS[1], tonumber(ARGV[1])
if redis.call('TYPE', bucket).ok ~= 'hash' then return {0, 0, 0} end
local entries = redis.call('HGETALL', bucket)
local expired, corrupt = {}, 0
for i = 1, #entries, 2 do
  local header = parse_header(entries[i + 1])
  if not header then
    corrupt = corrupt + 1
  elseif header.expires <= now then
    expired[#expired + 1] = entries[i]
  end
end
-- HDEL in slices: unpack() of a very large table would overflow the Lua C stack.
for i = 1, #expired, 500 do
  redis.call('HDEL', bucket, unpack(expired, i, math.min(i + 499, #expired)))
end
return {#entries / 2, #expired, corrupt}
`,
);
