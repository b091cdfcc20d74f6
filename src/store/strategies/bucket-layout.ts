/**
 * The hash strategy's buckets: which bucket and field a session key maps to, shared by the strategy, its stats and
 * its sweeper.
 */

import { SESSION_KEY_BYTES } from "../records/session-key.js";

/**
 * How the hash strategy spreads sessions over `2^bits` buckets. A bucket is named by the key's leading `bits`
 * (padded to whole bytes, the spare low bits zero); its field is the rest of the key from the first byte the
 * bucket does not wholly determine, so no byte is stored twice and bucket + field give back the key.
 */
export class BucketLayout {
  /** Number of buckets. */
  readonly count: number;
  private readonly idBytes: number;
  private readonly wholeBytes: number;
  /** Mask of the bits of byte `wholeBytes` that belong to the bucket id (0 when bits is a multiple of 8). */
  private readonly partialMask: number;

  constructor(
    readonly prefix: Buffer,
    readonly bits: number,
  ) {
    if (!Number.isInteger(bits) || bits < 1 || bits > 24) throw new RangeError("bucket bits must be 1 to 24");
    this.count = 2 ** bits;
    this.idBytes = Math.ceil(bits / 8);
    this.wholeBytes = Math.floor(bits / 8);
    const partialBits = bits % 8;
    this.partialMask = partialBits === 0 ? 0 : (0xff << (8 - partialBits)) & 0xff;
  }

  /** The bucket's Redis key for a session key. */
  bucketOf(key: Buffer): Buffer {
    const id = Buffer.from(key.subarray(0, this.idBytes));
    if (this.partialMask !== 0) id[this.wholeBytes] = (id[this.wholeBytes] ?? 0) & this.partialMask;
    return Buffer.concat([this.prefix, id]);
  }

  /** The field of a session key within its bucket. */
  fieldOf(key: Buffer): Buffer {
    return key.subarray(this.wholeBytes);
  }

  /** The Redis key of bucket number `index` (0 ≤ index < count), in key order. */
  bucketAt(index: number): Buffer {
    const id = Buffer.alloc(this.idBytes);
    id.writeUIntBE(index * 2 ** (this.idBytes * 8 - this.bits), 0, this.idBytes);
    return Buffer.concat([this.prefix, id]);
  }

  /** Length of every field this layout makes. */
  get fieldBytes(): number {
    return SESSION_KEY_BYTES - this.wholeBytes;
  }

  /** A fresh key whose leading `bits` equal those of `key`, so it falls in the same bucket; the rest is `random`. */
  sameBucketKey(key: Buffer, random: Buffer): Buffer {
    const fresh = Buffer.from(random);
    key.copy(fresh, 0, 0, this.wholeBytes);
    if (this.partialMask !== 0) {
      const at = this.wholeBytes;
      fresh[at] = ((key[at] ?? 0) & this.partialMask) | ((fresh[at] ?? 0) & ~this.partialMask & 0xff);
    }
    return fresh;
  }
}
