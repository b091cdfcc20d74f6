import { describe, expect, it } from "vitest";
import {
  formatSessionKey,
  isSessionKey,
  newSessionKeyBytes,
  parseSessionKey,
  SESSION_KEY_BYTES,
} from "../../src/store/session-key.js";

const COUNT = 1_000_000;

describe("the session key generator", () => {
  it(`makes ${COUNT.toLocaleString("en")} keys without a duplicate, each 32 lowercase hex characters`, () => {
    const seen = new Set<string>();
    const shape = /^[0-9a-f]{32}$/;
    let malformed = 0;
    // Every byte value in every position: a stuck or skewed byte would show as a value never seen there.
    const valuesAt = Array.from({ length: SESSION_KEY_BYTES }, () => new Uint8Array(256));
    for (let i = 0; i < COUNT; i++) {
      const bytes = newSessionKeyBytes();
      const key = formatSessionKey(bytes);
      if (!shape.test(key)) malformed++;
      seen.add(key);
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
