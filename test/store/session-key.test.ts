import { describe, expect, it } from "vitest";
import { InvalidKeyError } from "../../src/store/errors.js";
import {
  describeMalformedKey,
  formatSessionKey,
  newSessionKeyBytes,
  parseSessionKey,
} from "../../src/store/records/session-key.js";

describe("session keys", () => {
  it("are 16 random bytes shown as 32 lowercase hex characters", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const key = formatSessionKey(newSessionKeyBytes());
      expect(key).toMatch(/^[0-9a-f]{32}$/);
      seen.add(key);
    }
    expect(seen.size).toBe(1000);
  });

  it("parse back to their bytes", () => {
    const bytes = newSessionKeyBytes();
    expect(parseSessionKey(formatSessionKey(bytes))).toEqual(bytes);
  });

  it.each(["", "0".repeat(31), "0".repeat(33), "A".repeat(32), `${"0".repeat(31)}z`, `${"0".repeat(30)}\n0`])(
    "refuse %j",
    (key) => {
      expect(() => parseSessionKey(key)).toThrow(InvalidKeyError);
    },
  );

  it("describe malformed keys for logs without the key itself", () => {
    const key = "DEADBEEFDEADBEEFDEADBEEFDEADBEEF";
    const described = describeMalformedKey(key);
    expect(described).toMatchObject({ length: 32, problem: "upper-case hex" });
    expect(JSON.stringify(described)).not.toContain(key);
    expect(JSON.stringify(described).toLowerCase()).not.toContain(key.toLowerCase());
    expect(describeMalformedKey("short").problem).toBe("wrong length");
    expect(describeMalformedKey(`${"0".repeat(31)}!`).problem).toBe("non-hex characters");
    expect(describeMalformedKey(key).fingerprint).toBe(describeMalformedKey(key).fingerprint);
  });
});
