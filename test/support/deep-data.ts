import { SaveCondition } from "../../gen/redisession/v1/session_service_pb.js";
import type { JsonObject, JsonValue } from "../../src/store/session.js";
import { varint } from "../rpc/support/wire-bytes.js";

/**
 * Session data nested to a given depth, as a JSON object and as the raw bytes of a `google.protobuf.Struct`,
 * written by hand so that no encoder's own depth limit (ours or protobuf-es') stops it: 100,000 levels are as easy
 * to make as 3. The data object is level 1; each level holds the next as its only container, and the innermost
 * holds a number, so that every level (the innermost's Value included) is on the wire.
 */

/** How the levels below the data object nest: objects only, lists only, or alternating list and object. */
export type Shape = "objects" | "lists" | "mixed";

export const SHAPES: readonly Shape[] = ["objects", "lists", "mixed"];

/** The number the innermost level holds. */
const LEAF = 7;

/** Whether level `level` (1 is the data object, always an object) of `shape` is a list. */
function isList(shape: Shape, level: number): boolean {
  if (level === 1) return false;
  if (shape === "objects") return false;
  if (shape === "lists") return true;
  return level % 2 === 0;
}

/** The JSON object nested `depth` levels (made without recursion: any depth). */
export function deepJson(depth: number, shape: Shape): JsonObject {
  let inner: JsonValue = LEAF;
  for (let level = depth; level >= 1; level--) {
    inner = isList(shape, level) ? [inner] : { [`k${level}`]: inner };
  }
  return inner as JsonObject;
}

/**
 * The JSON text of data nested `depth` levels, with one-letter keys (6 bytes a level for objects, 2 for lists),
 * made without recursion: what a record written by hand, or by an older version, could hold.
 */
export function deepJsonText(depth: number, shape: Shape): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let level = 1; level <= depth; level++) {
    const list = isList(shape, level);
    open.push(list ? "[" : '{"a":');
    close.push(list ? "]" : "}");
  }
  return `${open.join("")}${LEAF}${close.reverse().join("")}`;
}

/** A length-delimited field's tag and length (wire type 2), before `length` bytes of content. */
function delimitedHead(field: number, length: number): number[] {
  return [(field << 3) | 2, ...varint(length)];
}

/** A string field: tag, length, UTF-8. */
function stringField(field: number, text: string): number[] {
  const bytes = [...Buffer.from(text, "utf8")];
  return [...delimitedHead(field, bytes.length), ...bytes];
}

// google.protobuf field numbers: Struct.fields = 1 (entries: key = 1, value = 2); Value.number_value = 2,
// struct_value = 5, list_value = 6; ListValue.values = 1.
const NUMBER_VALUE_TAG = (2 << 3) | 1;

/**
 * The fields of the `google.protobuf.Struct` of {@link deepJson}`(depth, shape)`, as protobuf-es writes them. Each
 * level's bytes before the next level's are one prefix (its entry or list element, up to the Value holding the
 * level below), so the whole is the prefixes in order and nothing after them: built from the innermost level out,
 * in time linear in the depth.
 */
export function deepStructBytes(depth: number, shape: Shape): Buffer {
  const leaf = Buffer.alloc(9);
  leaf[0] = NUMBER_VALUE_TAG;
  leaf.writeDoubleLE(LEAF, 1);
  const prefixes: Buffer[] = [];
  // The size of the fields of the level below the one being written (0 below the innermost).
  let below = 0;
  for (let level = depth; level >= 1; level--) {
    // The Value that this level's one member is: the leaf number, or the level below (its tag and length here,
    // its fields in the prefixes that follow).
    const valueStart = level === depth ? [...leaf] : delimitedHead(isList(shape, level + 1) ? 6 : 5, below);
    const valueSize = valueStart.length + below;
    let member: number[];
    if (isList(shape, level)) {
      member = delimitedHead(1, valueSize);
    } else {
      const key = stringField(1, `k${level}`);
      const valueHead = delimitedHead(2, valueSize);
      member = [...delimitedHead(1, key.length + valueHead.length + valueSize), ...key, ...valueHead];
    }
    const prefix = Buffer.from([...member, ...valueStart]);
    prefixes.push(prefix);
    below += prefix.length;
  }
  return Buffer.concat(prefixes.reverse());
}

/** A CreateSessionRequest (store = 1, data = 2) carrying `struct` as its data. */
export function createRequestBytes(store: string, struct: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(store === "" ? [] : stringField(1, store)),
    Buffer.from(delimitedHead(2, struct.length)),
    struct,
  ]);
}

/**
 * A SaveSessionRequest (store = 1, key = 2, data = 3, condition = 5: MUST_CREATE, the one condition that takes a
 * key of the caller's) carrying `struct` as its data.
 */
export function saveRequestBytes(store: string, key: string, struct: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(store === "" ? [] : stringField(1, store)),
    Buffer.from(stringField(2, key)),
    Buffer.from(delimitedHead(3, struct.length)),
    struct,
    Buffer.from([(5 << 3) | 0, ...varint(SaveCondition.MUST_CREATE)]),
  ]);
}
