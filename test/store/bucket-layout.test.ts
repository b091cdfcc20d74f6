import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BucketLayout } from "../../src/store/strategies/bucket-layout.js";

const prefix = Buffer.from("p:");

describe.each([1, 4, 8, 12, 16, 20, 24])("BucketLayout with %i bits", (bits) => {
  const layout = new BucketLayout(prefix, bits);

  it("puts a key's leading bits in the bucket name and the rest in the field, losing nothing", () => {
    for (let i = 0; i < 200; i++) {
      const key = randomBytes(16);
      const bucket = layout.bucketOf(key);
      const field = layout.fieldOf(key);
      expect(bucket.subarray(0, prefix.length)).toEqual(prefix);
      const id = bucket.subarray(prefix.length);
      expect(id.length).toBe(Math.ceil(bits / 8));
      // The bucket id is exactly the key's first `bits` bits, spare bits zero.
      const idBits = BigInt(`0x${id.toString("hex")}`) >> BigInt(id.length * 8 - bits);
      expect(idBits).toBe(BigInt(`0x${key.toString("hex")}`) >> BigInt(128 - bits));
      expect(field.length).toBe(layout.fieldBytes);
      // Bucket id bytes that the field does not repeat, then the field, give back the key.
      expect(Buffer.concat([id.subarray(0, Math.floor(bits / 8)), field])).toEqual(key);
    }
  });

  it("numbers buckets in key order, covering every bucket exactly once", () => {
    const indexes = [0, 1, layout.count - 1, Math.floor(layout.count / 2)];
    for (const index of indexes) {
      const bucket = layout.bucketAt(index);
      const id = bucket.subarray(prefix.length);
      expect(Number(BigInt(`0x${id.toString("hex")}`) >> BigInt(id.length * 8 - bits))).toBe(index);
    }
    const key = randomBytes(16);
    const index = Number(BigInt(`0x${key.toString("hex")}`) >> BigInt(128 - bits));
    expect(layout.bucketAt(index)).toEqual(layout.bucketOf(key));
    expect(layout.count).toBe(2 ** bits);
  });

  it("draws rotation keys in the same bucket, with every other bit random", () => {
    const key = randomBytes(16);
    const fresh = layout.sameBucketKey(key, randomBytes(16));
    expect(layout.bucketOf(fresh)).toEqual(layout.bucketOf(key));
    expect(fresh).not.toEqual(key);
    const zeros = layout.sameBucketKey(key, Buffer.alloc(16));
    const ones = layout.sameBucketKey(key, Buffer.alloc(16, 0xff));
    // Bits the bucket does not fix come from the random input: 128 - bits of them differ.
    let differing = 0;
    for (let i = 0; i < 16; i++)
      differing += [...((zeros[i] ?? 0) ^ (ones[i] ?? 0)).toString(2)].filter((c) => c === "1").length;
    expect(differing).toBe(128 - bits);
  });
});

describe("BucketLayout", () => {
  it("refuses bit counts outside 1 to 24", () => {
    for (const bits of [0, 25, 1.5, -1]) expect(() => new BucketLayout(prefix, bits)).toThrow(RangeError);
  });
});
