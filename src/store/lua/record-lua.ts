import { HEADER_BYTES, RECORD_FORMAT, UINT32_MAX } from "../record.js";

/**
 * Lua shared by every script that reads or writes records. It mirrors `record.ts` (from whose constants it is
 * built) so that a script can judge a record and rewrite its header without sending the payload to Node.
 *
 * Times are Unix seconds passed in by the caller, so every replica and every script agrees on "now" for one
 * call, and tests can move the clock.
 */
export const RECORD_LUA = `
local HEADER_BYTES = ${HEADER_BYTES}
local RECORD_FORMAT = ${RECORD_FORMAT}
local UINT32_MAX = ${UINT32_MAX}

-- The state of a stored value at 'now': 'none', 'dead' (expired or past its lifetime), 'corrupt' or 'live';
-- for 'live' also its expiry, codec id, version and creation time.
local function inspect(value, now, lifetime)
  if not value then return 'none' end
  if #value < HEADER_BYTES then return 'corrupt' end
  local expires, format, codec, version, created = struct.unpack('>I4BBI4I4', value)
  if format ~= RECORD_FORMAT then return 'corrupt' end
  if expires <= now or (lifetime > 0 and created + lifetime <= now) then return 'dead' end
  return 'live', expires, codec, version, created
end

-- now + ttl, but never past the absolute lifetime, nor past what the uint32 header field can hold.
local function expiry_for(now, ttl, created, lifetime)
  local expires = now + ttl
  if lifetime > 0 and created + lifetime < expires then expires = created + lifetime end
  if expires > UINT32_MAX then expires = UINT32_MAX end
  return expires
end

local function pack_header(expires, codec, version, created)
  return struct.pack('>I4BBI4I4', expires, RECORD_FORMAT, codec, version, created)
end

local function pack_expiry(expires)
  return struct.pack('>I4', expires)
end

-- Whether a save may write over a value in 'state', and with which version and creation time.
-- Returns the new version and creation time, or nil and the reply that refuses the write.
-- Replies: {1} exists, {2} missing, {3, version} version conflict, {4} corrupt.
local function decide_save(state, version, created, condition, expected, now)
  if condition == 'create' then
    if state == 'live' or state == 'corrupt' then return nil, nil, {1} end
  elseif condition == 'exist' or condition == 'version' then
    if state == 'corrupt' then return nil, nil, {4} end
    if state ~= 'live' then return nil, nil, {2} end
    if condition == 'version' and version ~= expected then return nil, nil, {3, version} end
  end
  if state ~= 'live' then return 1, now end
  if version >= UINT32_MAX then return 1, created end
  return version + 1, created
end
`;

/** Reply status codes of the record scripts (first element of their array reply). */
export const ScriptStatus = {
  ok: 0,
  exists: 1,
  missing: 2,
  conflict: 3,
  corrupt: 4,
} as const;

/** How the save scripts receive a condition. */
export const CONDITION_ARG = {
  upsert: "upsert",
  mustCreate: "create",
  mustExist: "exist",
  version: "version",
} as const;
