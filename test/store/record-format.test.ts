import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CorruptRecordError } from "../../src/store/errors.js";
import {
  encodeHeader,
  FORMAT_1,
  type HeaderFields,
  readHeader,
  VERSION_MAX,
} from "../../src/store/records/record.js";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, readRaw, strategies, writeRaw } from "../support/store-fixture.js";

/**
 * The record header as stored: format 2 written by the Lua scripts byte for byte as `encodeHeader` (the format's
 * TypeScript reference) describes it, read alike by both; format 1 still read and moved to format 2 by a save;
 * malformed headers judged corrupt by both sides.
 */

const redis = useRedis();

const PAYLOAD = Buffer.from('{"user":7}');
const DAY = 86_400;

/** A format-1 record (the 14-byte header of earlier versions), as those versions wrote it. */
function format1Record(expiresAt: number, version: number, createdAt: number, payload = PAYLOAD): Buffer {
  const header = Buffer.alloc(14);
  header.writeUInt32BE(expiresAt, 0);
  header[4] = FORMAT_1;
  header[5] = 0; // codec: none
  header.writeUInt32BE(version, 6);
  header.writeUInt32BE(createdAt, 10);
  return Buffer.concat([header, payload]);
}

function headerOf(record: Buffer | null) {
  const header = record === null ? null : readHeader(record);
  if (header === null) throw new Error("no readable record");
  return header;
}

describe.each(strategies)("%s strategy", (strategy) => {
  const setup = (overrides: Record<string, unknown> = {}) => {
    const store = makeStore(redis, { strategy, codec: "none", maxTtl: 2 ** 31 - 1, ...overrides });
    // A day ahead of Redis' own clock: a String key whose record expires in a second must not be dropped by
    // Redis before the test reads it back.
    store.clock.advanceSeconds(DAY);
    return store;
  };
  const key = () => randomBytes(16).toString("hex");

  describe("format 2, as the scripts write it", () => {
    // Varint size boundaries, and the last version a save can still count up from (versions are int32).
    const versions = [1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 28, 2 ** 31 - 2];
    const ttls = [undefined, 1, 59, 60, 127, 128, 3600, 7260, DAY, 14 * DAY, 127 * DAY, 2 ** 31 - 1];

    it.each([
      ["without a lifetime", 0],
      ["with a lifetime", 10 * 365 * DAY],
    ])("matches encodeHeader for every version and idle TTL size, %s", async (_, maxLifetime) => {
      const { repository, config, clock } = setup({ maxLifetime });
      const now = Math.floor(clock.ms / 1000);
      const created = now - 100;
      for (const version of versions) {
        for (const idleTtl of ttls) {
          const sessionKey = key();
          const fields: HeaderFields = {
            expiresAt: now + 50,
            codecId: 0,
            version,
            createdAt: maxLifetime > 0 ? created : undefined,
            idleTtl,
          };
          await repository.save(sessionKey, {}, { condition: { kind: "mustCreate" } });
          await writeRaw(redis, config, sessionKey, Buffer.concat([encodeHeader(fields), PAYLOAD]));
          const read = await repository.get(sessionKey);
          expect(read).toMatchObject({ version, idleTtl: idleTtl ?? config.defaultTtl, data: { user: 7 } });
          expect(read?.createdAt?.getTime()).toBe(maxLifetime > 0 ? created * 1000 : undefined);

          // The script reads the header, bumps the version and writes it back: byte for byte encodeHeader's.
          const saved = await repository.save(sessionKey, { user: 8 }, { condition: { kind: "mustExist" } });
          const seconds = Math.min(idleTtl ?? config.defaultTtl, config.maxTtl);
          const end = maxLifetime > 0 ? created + maxLifetime : Number.POSITIVE_INFINITY;
          const expiresAt = Math.min(now + seconds, end);
          const expected = encodeHeader({ ...fields, version: version + 1, expiresAt });
          const record = (await readRaw(redis, config, sessionKey)) as Buffer;
          expect(record.subarray(0, expected.byteLength)).toEqual(expected);
          expect(record.subarray(expected.byteLength).toString()).toBe('{"user":8}');
          expect(saved).toMatchObject({ version: version + 1, idleTtl: seconds });
        }
      }
    });

    it("wraps the version from 2^31 - 1 (the largest int32) to 1", async () => {
      const { repository, config, clock } = setup();
      const now = Math.floor(clock.ms / 1000);
      const sessionKey = key();
      await repository.save(sessionKey, {}, { condition: { kind: "mustCreate" } });
      const top = {
        expiresAt: now + 50,
        codecId: 0,
        version: VERSION_MAX,
        createdAt: undefined,
        idleTtl: 60,
      };
      await writeRaw(redis, config, sessionKey, Buffer.concat([encodeHeader(top), PAYLOAD]));
      expect((await repository.save(sessionKey, {})).version).toBe(1);
    });

    it("keeps a creation time only where the store has a lifetime, and starts one when a lifetime is set", async () => {
      const unlimited = setup();
      const session = await unlimited.repository.create({ n: 1 });
      expect(headerOf(await readRaw(redis, unlimited.config, session.key)).createdAt).toBeUndefined();

      // The operator sets a lifetime: the session's lifetime starts at its next save.
      const limited = setup({ maxLifetime: 1000 });
      limited.clock.advanceSeconds(30);
      const started = Math.floor(limited.clock.ms / 1000);
      const saved = await limited.repository.save(
        session.key,
        { n: 2 },
        { condition: { kind: "mustExist" } },
      );
      expect(saved.createdAt?.getTime()).toBe(started * 1000);
      expect(headerOf(await readRaw(redis, limited.config, session.key)).createdAt).toBe(started);
      limited.clock.advanceSeconds(999);
      expect(await limited.repository.get(session.key)).not.toBeNull();
      limited.clock.advanceSeconds(1);
      expect(await limited.repository.get(session.key)).toBeNull();

      // And without the lifetime again, a save drops the creation time.
      const fresh = await limited.repository.create({ n: 3 });
      await setup().repository.save(fresh.key, { n: 4 }, { condition: { kind: "mustExist" } });
      expect(headerOf(await readRaw(redis, limited.config, fresh.key)).createdAt).toBeUndefined();
    });
  });

  describe("format 1, written by earlier versions", () => {
    it("is read, touched in place, and rewritten as format 2 by a save", async () => {
      const { repository, config, clock } = setup({ defaultTtl: 600 });
      const now = Math.floor(clock.ms / 1000);
      const sessionKey = key();
      await repository.save(sessionKey, {}, { condition: { kind: "mustCreate" } });
      await writeRaw(redis, config, sessionKey, format1Record(now + 50, 7, now - 1000));

      const read = await repository.get(sessionKey);
      expect(read).toMatchObject({ data: { user: 7 }, version: 7, idleTtl: 600 });
      expect(read?.createdAt?.getTime()).toBe((now - 1000) * 1000);
      expect((await repository.getMany([sessionKey])).found).toEqual([read]);

      // A touch without a TTL rewrites the expiry only: still format 1.
      clock.advanceSeconds(10);
      const touched = await repository.touch(sessionKey);
      expect(touched.expiresAt.getTime()).toBe((now + 10 + 600) * 1000);
      expect(await readRaw(redis, config, sessionKey)).toEqual(format1Record(now + 610, 7, now - 1000));

      // A save writes format 2 (no creation time: this store has no lifetime).
      const saved = await repository.save(
        sessionKey,
        { user: 8 },
        { condition: { kind: "version", expected: 7 } },
      );
      expect(saved.version).toBe(8);
      const record = (await readRaw(redis, config, sessionKey)) as Buffer;
      expect(record[4]).toBeGreaterThanOrEqual(0x80);
      expect(headerOf(record)).toMatchObject({ version: 8, createdAt: undefined, idleTtl: undefined });
    });

    it("moves to format 2 when a touch gives it a TTL of its own, keeping its payload and creation time", async () => {
      const { repository, config, clock } = setup();
      const now = Math.floor(clock.ms / 1000);
      const sessionKey = key();
      await repository.save(sessionKey, {}, { condition: { kind: "mustCreate" } });
      await writeRaw(redis, config, sessionKey, format1Record(now + 50, 3, now - 5));
      const touched = await repository.get(sessionKey, { touch: true, ttl: 1800 });
      expect(touched).toMatchObject({ data: { user: 7 }, version: 3, idleTtl: 1800 });
      const record = (await readRaw(redis, config, sessionKey)) as Buffer;
      const expected = encodeHeader({
        expiresAt: now + 1800,
        codecId: 0,
        version: 3,
        createdAt: now - 5,
        idleTtl: 1800,
      });
      expect(record).toEqual(Buffer.concat([expected, PAYLOAD]));
    });

    it("is rotated, and swept when expired", async () => {
      const { repository, config, clock } = setup({ bucketBits: 1 });
      const now = Math.floor(clock.ms / 1000);
      const [live, expired] = [key(), key()];
      for (const [sessionKey, expiry] of [
        [live, now + 50],
        [expired, now - 1],
      ] as const) {
        await repository.save(sessionKey, {}, { condition: { kind: "mustCreate" } });
        await writeRaw(redis, config, sessionKey, format1Record(expiry, 2, now - 10));
      }
      const rotated = await repository.rotate(live);
      expect(rotated).toMatchObject({ data: { user: 7 }, version: 2 });
      expect(await readRaw(redis, config, rotated.key)).toEqual(format1Record(now + 50, 2, now - 10));
      if (repository.sweeper !== null) {
        const report = await repository.sweeper.sweep();
        expect(report).toMatchObject({ fieldsRemoved: 1, corruptFields: 0 });
        expect(await readRaw(redis, config, expired)).toBeNull();
      }
    });
  });

  describe("malformed headers", () => {
    const expiry = () => Buffer.from([0xff, 0xff, 0xff, 0x00]); // far in the future
    const malformed: [string, Buffer][] = [
      ["too short for any header", Buffer.from([0xff, 0xff, 0xff])],
      ["an unknown format byte", Buffer.concat([expiry(), Buffer.from([0x02, 1]), PAYLOAD])],
      ["format 1 shorter than its header", Buffer.concat([expiry(), Buffer.from([FORMAT_1, 0, 0, 0, 0, 1])])],
      ["format 2 without its version", Buffer.concat([expiry(), Buffer.from([0x80])])],
      [
        "a version varint of 6 bytes",
        Buffer.concat([expiry(), Buffer.from([0x80, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00]), PAYLOAD]),
      ],
      [
        "a version above 2^32 - 1",
        Buffer.concat([expiry(), Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff, 0x10]), PAYLOAD]),
      ],
      // Versions are int32 on the wire: one no response could carry is no version.
      [
        "a version of 2^31 (above the largest int32)",
        Buffer.concat([expiry(), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x08]), PAYLOAD]),
      ],
      ["a format-1 version of 2^31", format1Record(0xffff_ff00, 2 ** 31, 0)],
      ["a format-1 version of 2^32 - 1", format1Record(0xffff_ff00, 2 ** 32 - 1, 0)],
      ["an idle TTL cut short", Buffer.concat([expiry(), Buffer.from([0x80 | (1 << 5), 0x01, 0x90])])],
      ["a creation time cut short", Buffer.concat([expiry(), Buffer.from([0x80 | 0x10, 0x01, 0x00, 0x00])])],
    ];

    it.each(malformed)(
      "%s: corrupt for the reader and for every script, and left in place",
      async (_, record) => {
        expect(readHeader(record)).toBeNull();
        const { repository, config } = setup({ bucketBits: 1 });
        const sessionKey = key();
        await repository.save(sessionKey, {}, { condition: { kind: "mustCreate" } });
        await writeRaw(redis, config, sessionKey, record);
        await expect(repository.get(sessionKey)).rejects.toThrow(CorruptRecordError);
        await expect(repository.get(sessionKey, { touch: true })).rejects.toThrow(CorruptRecordError);
        await expect(repository.touch(sessionKey, { ttl: 60 })).rejects.toThrow(CorruptRecordError);
        await expect(repository.rotate(sessionKey)).rejects.toThrow(CorruptRecordError);
        await expect(repository.save(sessionKey, {}, { condition: { kind: "mustExist" } })).rejects.toThrow(
          CorruptRecordError,
        );
        expect((await repository.getMany([sessionKey])).corrupt).toEqual([sessionKey]);
        if (repository.sweeper !== null) expect((await repository.sweeper.sweep()).corruptFields).toBe(1);
        expect(await readRaw(redis, config, sessionKey)).toEqual(record);
      },
    );
  });
});
