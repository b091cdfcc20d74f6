import { describe, expect, it } from "vitest";
import {
  formatSessionKey,
  isSessionKey,
  newSessionKeyBytes,
  parseSessionKey,
  SESSION_KEY_BYTES,
} from "../../src/store/records/session-key.js";

/**
 * Keys drawn. A million (this test's former size) spent most of its time in `crypto.randomBytes` and `Set`
 * insertion, testing the CSPRNG's collision rate, which 128 bits put beyond any count a test can draw. What can
 * go wrong here is ours: a short or mis-formatted key, a buffer handed out twice or overwritten later, a byte
 * position stuck or confined to fewer values. A repeat or an overwrite shows in the first few keys, and ten
 * thousand draws show every value at every position: a given value is missing at a given position with
 * probability (255/256)^10000, about 1e-17, so about 4e-14 for any of the 16 × 256 (a flake never seen).
 */
const COUNT = 10_000;

describe("the session key generator", () => {
  it(`makes ${COUNT.toLocaleString("en")} keys without a duplicate, each 32 lowercase hex characters`, () => {
    const shape = /^[0-9a-f]{32}$/;
    // Every key kept as the buffer it came in and formatted only once all are drawn: a buffer reused or written
    // over by a later draw would show as a duplicate.
    const drawn = Array.from({ length: COUNT }, () => newSessionKeyBytes());
    const keys = drawn.map((bytes) => formatSessionKey(bytes));
    const malformed = keys.filter((key) => !shape.test(key)).length;
    const seen = new Set(keys);
    // Every byte value in every position: a stuck or skewed byte would show as a value never seen there.
    const valuesAt = Array.from({ length: SESSION_KEY_BYTES }, () => new Uint8Array(256));
    for (const bytes of drawn) {
      valuesAt.forEach((values, at) => {
        values[bytes[at] as number] = 1;
      });
    }
    expect(malformed).toBe(0);
    expect(seen.size).toBe(COUNT);
    expect(valuesAt.map((values) => values.reduce((a, b) => a + b, 0))).toEqual(
      Array.from({ length: SESSION_KEY_BYTES }, () => 256),
    );
  });

  it("formats exactly the bytes it is given, whatever buffer they are a view of", () => {
    const pool = Buffer.alloc(64, 0xee);
    const bytes = newSessionKeyBytes();
    bytes.copy(pool, 7);
    const view = pool.subarray(7, 7 + SESSION_KEY_BYTES);
    const key = formatSessionKey(view);
    expect(key).toBe(bytes.toString("hex"));
    expect(isSessionKey(key)).toBe(true);
    expect(parseSessionKey(key)).toEqual(bytes);
    // A Uint8Array (not a Buffer) view too.
    expect(formatSessionKey(new Uint8Array(pool.buffer, pool.byteOffset + 7, SESSION_KEY_BYTES))).toBe(key);
  });
});
