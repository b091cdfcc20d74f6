/**
 * The Lua every record script starts with, built from `records/record.ts`'s constants, so that the scripts and Node
 * read and write one header format.
 */

import {
  CODEC_MASK,
  CREATED_FLAG,
  FORMAT_1,
  FORMAT_1_BYTES,
  FORMAT_2_FLAG,
  TTL_UNIT_SECONDS,
  UINT32_MAX,
  VERSION_MAX,
} from "../../records/record.js";

/**
 * Lua shared by every script that reads or writes records. It mirrors `record.ts` (from whose constants it is
 * built) so that a script can judge a record and rewrite its header without sending the payload to Node.
 *
 * Times are Unix seconds passed in by the caller, so every replica and every script agrees on "now" for one
 * call, and tests can move the clock. Lua numbers are doubles: every value here (uint32 fields, varints of at
 * most 5 bytes, TTLs in seconds) is an exact integer in them.
 */
export const RECORD_LUA = `
local FORMAT_1 = ${FORMAT_1}
local FORMAT_1_BYTES = ${FORMAT_1_BYTES}
local FORMAT_2_FLAG = ${FORMAT_2_FLAG}
local CREATED_FLAG = ${CREATED_FLAG}
local CODEC_SPAN = ${CODEC_MASK + 1}
local UINT32_MAX = ${UINT32_MAX}
local VERSION_MAX = ${VERSION_MAX}
local TTL_UNIT_SECONDS = {${TTL_UNIT_SECONDS.slice(1).join(", ")}}

-- The varint at pos and the position after it; nil when truncated, over 5 bytes or over UINT32_MAX.
local function read_varint(value, pos)
  local result, scale = 0, 1
  for i = pos, pos + 4 do
    local byte = string.byte(value, i)
    if not byte then return nil end
    if byte < 128 then
      result = result + byte * scale
      if result > UINT32_MAX then return nil end
      return result, i + 1
    end
    result = result + (byte - 128) * scale
    scale = scale * 128
  end
  return nil
end

local function varint(n)
  local bytes = ''
  while n >= 128 do
    bytes = bytes .. string.char(128 + n % 128)
    n = math.floor(n / 128)
  end
  return bytes .. string.char(n)
end

-- The header of a stored value, as record.ts reads it: {expires, codec, version, created, ttl, size}, where
-- created and ttl may be nil (not stored) and size is where the payload starts; nil when malformed.
local function parse_header(value)
  if #value < 5 then return nil end
  local expires, flags = struct.unpack('>I4B', value)
  if flags == FORMAT_1 then
    if #value < FORMAT_1_BYTES then return nil end
    local codec, version, created = struct.unpack('>BI4I4', value, 6)
    if version > VERSION_MAX then return nil end
    return {expires = expires, codec = codec, version = version, created = created, size = FORMAT_1_BYTES}
  end
  if flags < FORMAT_2_FLAG then return nil end
  local version, pos = read_varint(value, 6)
  if not version or version > VERSION_MAX then return nil end
  local header = {expires = expires, codec = flags % CODEC_SPAN, version = version}
  local unit = math.floor(flags / 32) % 4
  if unit > 0 then
    local count
    count, pos = read_varint(value, pos)
    if not count then return nil end
    header.ttl = count * TTL_UNIT_SECONDS[unit]
  end
  if math.floor(flags / CREATED_FLAG) % 2 == 1 then
    if #value < pos + 3 then return nil end
    header.created = struct.unpack('>I4', value, pos)
    pos = pos + 4
  end
  header.size = pos - 1
  return header
end

-- The state of a stored value at 'now': 'none', 'dead' (expired or past its lifetime), 'corrupt' or 'live';
-- for 'dead' and 'live' also its header.
local function inspect(value, now, lifetime)
  if not value then return 'none' end
  local header = parse_header(value)
  if not header then return 'corrupt' end
  if header.expires <= now or (lifetime > 0 and header.created and header.created + lifetime <= now) then
    return 'dead', header
  end
  return 'live', header
end

-- The idle TTL a write keeps in the header (nil: none, the store's default) and the seconds it stands for now.
-- requested: the call's TTL in seconds, 0 when it gave none; own: the session's stored TTL, or nil.
local function idle_ttl(requested, own, default_ttl, max_ttl)
  local kept = own
  if requested > 0 then kept = requested end
  local seconds = kept or default_ttl
  if seconds > max_ttl then seconds = max_ttl end
  return kept, seconds
end

-- now + ttl, but never past the absolute lifetime, nor past what the uint32 header field can hold.
local function expiry_for(now, ttl, created, lifetime)
  local expires = now + ttl
  if lifetime > 0 and created and created + lifetime < expires then expires = created + lifetime end
  if expires > UINT32_MAX then expires = UINT32_MAX end
  return expires
end

-- A format-2 header (see record.ts); created and ttl may be nil.
local function pack_header(expires, codec, version, created, ttl)
  local flags = FORMAT_2_FLAG + codec
  local ttl_bytes, created_bytes = '', ''
  if ttl then
    local unit = 1
    if ttl % TTL_UNIT_SECONDS[3] == 0 then unit = 3 elseif ttl % TTL_UNIT_SECONDS[2] == 0 then unit = 2 end
    flags = flags + unit * 32
    ttl_bytes = varint(ttl / TTL_UNIT_SECONDS[unit])
  end
  if created then
    flags = flags + CREATED_FLAG
    created_bytes = struct.pack('>I4', created)
  end
  return struct.pack('>I4B', expires, flags) .. varint(version) .. ttl_bytes .. created_bytes
end

local function pack_expiry(expires)
  return struct.pack('>I4', expires)
end

-- Whether a save may write over a value in 'state' (with 'header'), and with which version and creation time.
-- Returns the new version and creation time (nil unless the store has a lifetime), or nil and the reply that
-- refuses the write. Replies: {1} exists, {2} missing, {3, version} version conflict, {4} corrupt.
local function decide_save(state, header, condition, expected, now, lifetime)
  if condition == 'create' then
    if state == 'live' or state == 'corrupt' then return nil, nil, {1} end
  elseif condition == 'exist' or condition == 'version' then
    if state == 'corrupt' then return nil, nil, {4} end
    if state ~= 'live' then return nil, nil, {2} end
    if condition == 'version' and header.version ~= expected then return nil, nil, {3, header.version} end
  end
  -- Only a lifetime needs the creation time; a session from before the store had one starts its lifetime now.
  local created = nil
  if lifetime > 0 then
    created = now
    if state == 'live' and header.created then created = header.created end
  end
  if state ~= 'live' or header.version >= VERSION_MAX then return 1, created end
  return header.version + 1, created
end

-- The expiry arguments that begin a save's and a touch's (store-strategy.ts's expiryArgv), read from ARGV at
-- position 'at' on into 'a', which already holds the arguments that follow them.
local function expiry_args(at, a)
  a.now, a.ttl, a.default_ttl = tonumber(ARGV[at]), tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
  a.max_ttl, a.lifetime = tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4])
  return a
end

-- The arguments of a save in ARGV from position 'at' on, in the order of store-strategy.ts's saveArgv.
local function save_args(at)
  return expiry_args(at, {
    condition = ARGV[at + 5], expected = tonumber(ARGV[at + 6]), codec = tonumber(ARGV[at + 7]),
    payload = ARGV[at + 8],
  })
end

-- The arguments of a touch in ARGV from position 'at' on, in the order of store-strategy.ts's touchArgv.
local function touch_args(at)
  return expiry_args(at, { with_value = ARGV[at + 5] == '1' })
end

-- The record a save (arguments 'a') writes over a value in 'state' (with 'header'), and its ok reply
-- {0, version, created (0: not stored), expires, idle ttl, header bytes}; or nil and the refusal reply.
local function saved_record(state, header, a)
  local version, created, refusal = decide_save(state, header, a.condition, a.expected, a.now, a.lifetime)
  if not version then return nil, refusal end
  local own = nil
  if state == 'live' then own = header.ttl end
  local kept, seconds = idle_ttl(a.ttl, own, a.default_ttl, a.max_ttl)
  local expires = expiry_for(a.now, seconds, created, a.lifetime)
  local head = pack_header(expires, a.codec, version, created, kept)
  return head .. a.payload, {0, version, created or 0, expires, seconds, #head}
end

-- A live session's new header and expiry after a touch (arguments 'a'): the rewritten value, or nil when only
-- the expiry bytes change (same idle TTL), plus the reply's fields.
local function touched(value, header, a)
  local kept, seconds = idle_ttl(a.ttl, header.ttl, a.default_ttl, a.max_ttl)
  local expires = expiry_for(a.now, seconds, header.created, a.lifetime)
  local rewritten = nil
  if kept ~= header.ttl then
    rewritten = pack_header(expires, header.codec, header.version, header.created, kept) ..
      string.sub(value, header.size + 1)
  end
  return rewritten, expires, seconds
end

-- A touch's ok reply: {0, version, created (0: not stored), expires, idle ttl}, and with 'a.with_value' the
-- value read before the touch.
local function touch_reply(header, expires, seconds, a, value)
  local reply = {0, header.version, header.created or 0, expires, seconds}
  if a.with_value then reply[6] = value end
  return reply
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
