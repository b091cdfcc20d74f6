import { brotliCodec } from "./brotli-codec.js";
import type { Codec, CodecName } from "./codec.js";
import { gzipCodec } from "./gzip-codec.js";
import { noneCodec } from "./none-codec.js";
import { zstdCodec } from "./zstd-codec.js";

/**
 * Every codec, the single source of both lookups below. The `satisfies` clause makes the compiler reject a
 * list that misses a name from `codecNames` (each name must map to a codec); unique ids are checked at load.
 */
const codecs = {
  none: noneCodec,
  zstd: zstdCodec,
  gzip: gzipCodec,
  brotli: brotliCodec,
} as const satisfies Record<CodecName, Codec>;

const byId = new Map<number, Codec>();
for (const [name, codec] of Object.entries(codecs)) {
  // A record header names its codec by id alone, so a mix-up here would silently misread stored sessions.
  if (codec.name !== name) throw new Error(`codec registered as ${name} calls itself ${codec.name}`);
  const clash = byId.get(codec.id);
  if (clash !== undefined) throw new Error(`codecs ${clash.name} and ${codec.name} share id ${codec.id}`);
  byId.set(codec.id, codec);
}

/** The codec configured under `name`. */
export function codecByName(name: CodecName): Codec {
  return codecs[name];
}

/**
 * The codec whose {@link Codec.id} is `id` (the codec byte of a record header), or `undefined` when no codec
 * has that id, which means the record is corrupt or was written by a newer version.
 */
export function codecById(id: number): Codec | undefined {
  return byId.get(id);
}
