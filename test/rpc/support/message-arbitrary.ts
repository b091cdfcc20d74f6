import { type DescField, type DescMessage, type JsonValue, ScalarType } from "@bufbuild/protobuf";
import { isWrapperDesc } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";

/**
 * fast-check arbitraries of init objects for any message type, derived from its descriptor: each field present or
 * missing, each oneof absent, unset or set to any of its members, scalars across their whole range (extremes, NaN, -0, unknown enum numbers, any Unicode), Struct fields
 * as arbitrary JSON. Two inputs are kept out, because the service's Struct reader reads them differently from protobuf-es on
 * purpose (each has its own test): strings that start with U+FEFF, and Struct keys named "__proto__".
 */

/** Strings of any Unicode, lone surrogates included (both codecs write U+FFFD for them), never BOM-first. */
export const anyString: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.string({ unit: "grapheme", maxLength: 8 }),
    fc.string({ maxLength: 200, minLength: 40 }),
    fc.constantFrom("", "\uD800", "a\uDC00b", "\uDBFF\uDFFF", "é", "日本語", "\u0000"),
  )
  .map((text) => text.replace(/^\uFEFF+/, ""));

const jsonKey = anyString.filter((key) => key !== "__proto__");

const jsonNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE),
  fc.constantFrom(Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, 1e21, 1e-7, 2 ** 53 + 2),
);

/** Arbitrary JSON, nested arrays and objects included (numbers as Struct carries them: any double). */
export const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{
  value: JsonValue;
  object: JsonValue;
  array: JsonValue;
}>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    fc.constant(null),
    fc.boolean(),
    jsonNumber,
    anyString,
    tie("array"),
    tie("object"),
  ),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(jsonKey, tie("value"), { maxKeys: 5, noNullPrototype: true }),
})).value;

/** Arbitrary JSON objects: a Struct field's values. */
export const jsonObject = fc.dictionary(jsonKey, jsonValue, { maxKeys: 6, noNullPrototype: true });

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const UINT32 = { min: 0, max: 2 ** 32 - 1 };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64 = { min: 0n, max: 2n ** 64n - 1n };

function scalarArbitrary(type: ScalarType, longAsString: boolean): fc.Arbitrary<unknown> {
  const long = (range: { min: bigint; max: bigint }) => {
    const big = fc.oneof(fc.bigInt(range), fc.constantFrom(range.min, range.max, 0n, 1n, 2n ** 32n));
    return longAsString ? big.map(String) : big;
  };
  switch (type) {
    case ScalarType.STRING:
      return anyString;
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 40 });
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.DOUBLE:
      return jsonNumber;
    case ScalarType.FLOAT:
      return fc.oneof(fc.float(), fc.constantFrom(0, -0, Number.NaN, 3.4028234663852886e38));
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.oneof(fc.integer(INT32), fc.constantFrom(INT32.min, INT32.max, -1, 0));
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.integer(UINT32), fc.constantFrom(UINT32.max, 0, 127, 128, 16384));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return long(INT64);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return long(UINT64);
  }
}

/** Known values, and numbers no enum value has (open enums keep them). */
function enumArbitrary(values: readonly { number: number }[]): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(...values.map((value) => value.number)), fc.integer(INT32));
}

function valueArbitrary(field: DescField, depth: number): fc.Arbitrary<unknown> {
  if (field.fieldKind === "scalar") return scalarArbitrary(field.scalar, field.longAsString);
  if (field.fieldKind === "enum") return enumArbitrary(field.enum.values);
  if (field.fieldKind === "message") return messageValue(field.message, field.parent, depth);
  if (field.fieldKind === "list") {
    // Past the depth limit, a list of messages stays empty (an undefined item is no message).
    if (field.listKind === "message" && depth >= 3) return fc.constant([]);
    const item =
      field.listKind === "scalar"
        ? scalarArbitrary(field.scalar, field.longAsString)
        : field.listKind === "enum"
          ? enumArbitrary(field.enum.values)
          : messageValue(field.message, field.parent, depth);
    return fc.array(item, { maxLength: 4 });
  }
  if (field.mapKind === "scalar") {
    return fc.dictionary(anyString, scalarArbitrary(field.scalar, false), {
      maxKeys: 3,
      noNullPrototype: true,
    });
  }
  return fc.constant({});
}

function messageValue(message: DescMessage, parent: DescMessage, depth: number): fc.Arbitrary<unknown> {
  if (message.typeName === "google.protobuf.Struct" && parent.typeName !== "google.protobuf.Value") {
    return jsonObject;
  }
  // Messages nest a few levels: recursive types (and Value's struct_value) must stop somewhere.
  if (depth >= 3) return fc.constant(undefined);
  if (isWrapperDesc(message)) return fc.constant(undefined);
  return initArbitrary(message, depth + 1);
}

/**
 * Values of a oneof member, or undefined where it can have none: a selected case always holds a value, so
 * message members stop at the depth where other message fields are left unset. A wrapper type in a oneof is a
 * message like any other (protobuf-es unwraps only singular fields).
 */
function memberArbitrary(field: DescField, depth: number): fc.Arbitrary<unknown> | undefined {
  if (field.fieldKind !== "message") return valueArbitrary(field, depth);
  if (
    field.message.typeName === "google.protobuf.Struct" &&
    field.parent.typeName !== "google.protobuf.Value"
  ) {
    return jsonObject;
  }
  return depth >= 3 ? undefined : initArbitrary(field.message, depth + 1);
}

/** A oneof left out of an init object. */
const ABSENT = Symbol("absent");

/** Oneof groups: absent, undefined or no case, or one of their fields with a value. */
function oneofArbitrary(message: DescMessage, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const groups = message.oneofs.map((oneof) =>
    fc.oneof(
      fc.constantFrom<unknown>({ case: undefined }, undefined, ABSENT),
      ...oneof.fields.flatMap((field) => {
        const value = memberArbitrary(field, depth);
        return value === undefined ? [] : [value.map((value) => ({ case: field.localName, value }))];
      }),
    ),
  );
  return fc
    .tuple(...groups)
    .map((cases) =>
      Object.fromEntries(
        message.oneofs
          .map((oneof, index) => [oneof.localName, cases[index]] as const)
          .filter(([, group]) => group !== ABSENT),
      ),
    );
}

/**
 * Init objects of `message`: every field may be missing (its default then), `undefined`-valued fields included,
 * message fields are init objects themselves.
 */
export function initArbitrary(message: DescMessage, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    message.fields
      .filter((field) => field.oneof === undefined)
      .map((field) => [field.localName, valueArbitrary(field, depth)]),
  );
  const plain = fc.record(fields, { requiredKeys: [] });
  if (message.oneofs.length === 0) return plain;
  return fc.tuple(plain, oneofArbitrary(message, depth)).map(([init, oneofs]) => ({ ...init, ...oneofs }));
}
