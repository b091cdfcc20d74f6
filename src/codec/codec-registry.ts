import { brotliCodec } from "./brotli-codec.js";
import { type Codec, type CodecName, MAX_CODEC_ID, type SharedCodecName } from "./codec.js";
import { gzipCodec } from "./gzip-codec.js";
import { noneCodec } from "./none-codec.js";
import { zstdCodec } from "./zstd-codec.js";
import { ZSTD_DICT_CODEC_ID } from "./zstd-dict-codec.js";

/**
 * Every shared codec, the single source of both lookups below. The `satisfies` clause makes the compiler reject a
 * list that misses a name from `sharedCodecNames` (each name must map to a codec); unique ids are checked at load.
 * `zstd-dict` is not here: it needs a store's dictionaries, so each store builds its own (see `codec-set.ts`).
 */
const codecs = {
  none: noneCodec,
  zstd: zstdCodec,
  gzip: gzipCodec,
  brotli: brotliCodec,
} as const satisfies Record<SharedCodecName, Codec>;

const byId = new Map<number, Codec>();
for (const [name, codec] of Object.entries(codecs)) {
  // A record header names its codec by id alone, so a mix-up here would silently misread stored sessions.
  if (codec.name !== name) throw new Error(`codec registered as ${name} calls itself ${codec.name}`);
  if (codec.id > MAX_CODEC_ID) throw new Error(`codec ${name} has id ${codec.id}, above ${MAX_CODEC_ID}`);
  const clash = byId.get(codec.id) ?? (codec.id === ZSTD_DICT_CODEC_ID ? { name: "zstd-dict" } : undefined);
  if (clash !== undefined) throw new Error(`codecs ${clash.name} and ${codec.name} share id ${codec.id}`);
  byId.set(codec.id, codec);
}

/**
 * The shared codec configured under `name`.
 *
 * Takes any codec name, so that code handling a store's configured name compiles, but `zstd-dict` has no shared
 * instance: a store builds its own from its dictionaries (`storeCodecs`).
 *
 * @throws {RangeError} for `zstd-dict`.
 */
export function codecByName(name: CodecName): Codec {
  if (name === "zstd-dict") {
    throw new RangeError("zstd-dict has no shared instance: it is built per store, from its dictionaries");
  }
  return codecs[name];
}

/**
 * The shared codec whose {@link Codec.id} is `id` (the codec byte of a record header), or `undefined` when none
 * has that id: the id of a per-store codec (`zstd-dict`, 4), or a record that is corrupt or was written by a newer
 * version. Stores resolve ids through their `StoreCodecs`, which knows both kinds.
 */
export function codecById(id: number): Codec | undefined {
  return byId.get(id);
}
