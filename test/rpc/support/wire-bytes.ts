/**
 * Hand-made protobuf bytes for tests that need inputs no encoder writes: malformed, unknown, unpacked, too deep.
 */

/** A varint. */
export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** A tag. */
export function tag(fieldNumber: number, wireType: number): number[] {
  return varint((fieldNumber << 3) | wireType);
}

/** A length-delimited field: tag, length, content. */
export function delimited(fieldNumber: number, content: readonly number[] | Uint8Array): number[] {
  return [...tag(fieldNumber, 2), ...varint(content.length), ...content];
}

/** A string field. */
export function text(fieldNumber: number, value: string): number[] {
  return delimited(fieldNumber, Buffer.from(value, "utf8"));
}

/** A double as 8 little-endian bytes. */
export function double(value: number): number[] {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return [...bytes];
}

/** The bytes as a Uint8Array. */
export function bytes(...parts: (readonly number[])[]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

/**
 * A `GetSessionResponse` whose session's data holds `depth` nested objects, `{"a":{"a":…{}}}`: the outermost
 * message is at depth 1, Session 2, its Struct 3, and each level of JSON adds a Value and a Struct. Built
 * outside-in from sizes computed inside-out, so that thousands of levels take linear time.
 */
export function deepSessionResponse(depth: number): Uint8Array {
  const key = text(1, "a");
  // Each level: Struct entry { key, value: Value { struct_value: <the level below> } }.
  const headers: number[][] = [];
  let size = 0; // the size of the Struct below
  for (let level = 0; level < depth; level++) {
    const value = [...tag(5, 2), ...varint(size)];
    const valueSize = value.length + size;
    const entry = [...key, ...tag(2, 2), ...varint(valueSize)];
    const entrySize = entry.length + valueSize;
    const header = [...tag(1, 2), ...varint(entrySize), ...entry, ...value];
    headers.push(header);
    size += header.length;
  }
  const session = [...tag(2, 2), ...varint(size)];
  const outer = [...tag(1, 2), ...varint(session.length + size), ...session];
  return bytes(outer, ...headers.reverse());
}
