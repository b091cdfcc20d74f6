import { LuaScript } from "./lua-script.js";
import { RECORD_LUA } from "./record-lua.js";

/**
 * Scripts of the string strategy: KEYS[1] is the session's own String. Only the 14-byte header is read where the
 * payload is not needed (GETRANGE), and a touch rewrites just the first four bytes (SETRANGE) plus the TTL.
 */

/** Reads the header of KEYS[1], or false when the key does not exist. */
const READ_HEADER = `
local function read_header(key)
  local head = redis.call('GETRANGE', key, 0, HEADER_BYTES - 1)
  if head == '' and redis.call('EXISTS', key) == 0 then return false end
  return head
end
`;

/**
 * ARGV: now, ttl, lifetime, condition, expected version, codec id, payload.
 * Reply: {0, version, created, expires} or a refusal (see record-lua.ts).
 */
export const STRING_SAVE = new LuaScript(
  "string-save",
  `${RECORD_LUA}${READ_HEADER}
local key = KEYS[1]
local now, ttl, lifetime = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state, _, _, version, created = inspect(read_header(key), now, lifetime)
local new_version, new_created, refusal = decide_save(state, version, created, ARGV[4], tonumber(ARGV[5]), now)
if not new_version then return refusal end
local expires = expiry_for(now, ttl, new_created, lifetime)
redis.call('SET', key, pack_header(expires, tonumber(ARGV[6]), new_version, new_created) .. ARGV[7], 'EXAT', expires)
return {0, new_version, new_created, expires}
`,
);

/**
 * ARGV: now, ttl, lifetime, with_value ('1' to also return the record).
 * Reply: {0, version, created, expires[, record]}, {2} when no live session, {4} when corrupt.
 */
export const STRING_TOUCH = new LuaScript(
  "string-touch",
  `${RECORD_LUA}${READ_HEADER}
local key = KEYS[1]
local now, ttl, lifetime = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local with_value = ARGV[4] == '1'
local value
if with_value then value = redis.call('GET', key) else value = read_header(key) end
local state, _, _, version, created = inspect(value, now, lifetime)
if state == 'corrupt' then return {4} end
if state ~= 'live' then return {2} end
local expires = expiry_for(now, ttl, created, lifetime)
redis.call('SETRANGE', key, 0, pack_expiry(expires))
redis.call('EXPIREAT', key, expires)
if with_value then return {0, version, created, expires, value} end
return {0, version, created, expires}
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
