/**
 * Session keys: 128 random bits, shown to clients as 32 lowercase hex characters and kept in Redis as the 16 raw
 * bytes. The one place that makes, parses and formats them, so that a key has exactly one spelling.
 */

import { createHash, randomBytes } from "node:crypto";
import { InvalidKeyError } from "../errors.js";

/** Bytes in a session key: 128 bits from the CSPRNG. */
export const SESSION_KEY_BYTES = 16;

const KEY_SHAPE = /^[0-9a-f]{32}$/;

/** A fresh session key: 16 bytes of `crypto.randomBytes`. */
export function newSessionKeyBytes(): Buffer {
  return randomBytes(SESSION_KEY_BYTES);
}

/** The form clients see: 32 lowercase hexadecimal characters. */
export function formatSessionKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Whether `key` has the exact shape of a session key. */
export function isSessionKey(key: string): boolean {
  return KEY_SHAPE.test(key);
}

/**
 * The 16 raw bytes of a client-supplied key.
 *
 * Only the exact shape is accepted — no upper case, no whitespace, no other length — so that one session has
 * exactly one spelling and a key can never smuggle bytes into a Redis key name.
 *
 * @param position - the key's index in a list of keys, if it is one (the error says where the bad key is).
 * @throws {InvalidKeyError} when `key` is not 32 lowercase hexadecimal characters.
 */
export function parseSessionKey(key: string, position?: number): Buffer {
  if (!isSessionKey(key)) {
    throw new InvalidKeyError("session key must be 32 lowercase hexadecimal characters", position);
  }
  return Buffer.from(key, "hex");
}

/**
 * A description of a malformed key that is safe to log: its length, why it is wrong, and a short fingerprint
 * that lets an operator correlate repeated attempts without the key itself appearing in logs.
 */
export function describeMalformedKey(key: string): { length: number; problem: string; fingerprint: string } {
  let problem: string;
  if (key.length !== 32) problem = "wrong length";
  else if (/[A-F]/.test(key) && /^[0-9a-fA-F]{32}$/.test(key)) problem = "upper-case hex";
  else problem = "non-hex characters";
  const fingerprint = createHash("sha256").update(key).digest("hex").slice(0, 12);
  return { length: key.length, problem, fingerprint };
}
