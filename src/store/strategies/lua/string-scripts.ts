/**
 * Scripts of the string strategy: KEYS[1] is the session's own String. Only the header is read where the payload
 * is not needed (GETRANGE of the longest header), and a touch that keeps the idle TTL rewrites just the first four
 * bytes (SETRANGE) plus the key's TTL.
 */

import { MAX_HEADER_BYTES } from "../../records/record.js";
import { LuaScript } from "../../redis/lua-script.js";
import { RECORD_LUA } from "./record-lua.js";

/** Reads the first header-sized bytes of KEYS[1], or false when the key does not exist. */
const READ_HEADER = `
local function read_header(key)
  local head = redis.call('GETRANGE', key, 0, ${MAX_HEADER_BYTES - 1})
  if head == '' and redis.call('EXISTS', key) == 0 then return false end
  return head
end
`;

/**
 * ARGV: now, ttl (0: the session's own), default ttl, max ttl, lifetime, condition, expected version, codec id,
 * payload.
 * Reply: {0, version, created (0: not stored), expires, idle ttl, header bytes} or a refusal (see record-lua.ts).
 */
export const STRING_SAVE = new LuaScript(
  "string-save",
  `${RECORD_LUA}${READ_HEADER}
local key, a = KEYS[1], save_args(1)
local state, header = inspect(read_header(key), a.now, a.lifetime)
local record, reply = saved_record(state, header, a)
if not record then return reply end
redis.call('SET', key, record, 'EXAT', reply[4])
return reply
`,
);

/**
 * ARGV: now, ttl (0: the session's own), default ttl, max ttl, lifetime, with_value ('1' to also return the
 * record).
 * Reply: {0, version, created (0: not stored), expires, idle ttl[, record]}, {2} when no live session, {4} when
 * corrupt. The record returned is the one read, before the touch: its payload is what the caller wants.
 */
export const STRING_TOUCH = new LuaScript(
  "string-touch",
  `${RECORD_LUA}${READ_HEADER}
local key, a = KEYS[1], touch_args(1)
local value
-- A requested TTL may change the header's length, and then the whole value is rewritten.
if a.with_value or a.ttl > 0 then value = redis.call('GET', key) else value = read_header(key) end
local state, header = inspect(value, a.now, a.lifetime)
if state == 'corrupt' then return {4} end
if state ~= 'live' then return {2} end
local rewritten, expires, seconds = touched(value, header, a)
if rewritten then
  redis.call('SET', key, rewritten, 'EXAT', expires)
else
  redis.call('SETRANGE', key, 0, pack_expiry(expires))
  redis.call('EXPIREAT', key, expires)
end
return touch_reply(header, expires, seconds, a, value)
`,
);

/**
 * Deletes KEYS[1] only if it still holds ARGV[1] byte for byte: the last step of a rotation, which must not
 * delete a session that another writer changed after the rotation copied it.
 * Reply: 1 deleted, 0 changed or gone.
 */
export const STRING_DELETE_IF_UNCHANGED = new LuaScript(
  "string-delete-if-unchanged",
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);

/**
 * Puts a rotation's copy of a record at its new key, KEYS[1], for a rotation that carries a request id (see
 * `StringStrategy.moveTo`): its attempts share that key, so a copy may be there already.
 * ARGV: the record, its expiry (Unix seconds), the bytes found there before that may be replaced ('' for none).
 * Reply: 1 when the key now holds the record (written, or already there); otherwise what the key holds, untouched.
 */
export const STRING_PLACE_COPY = new LuaScript(
  "string-place-copy",
  `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then return 1 end
if current and current ~= ARGV[3] then return current end
redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])
return 1
`,
);
