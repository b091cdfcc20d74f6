import { create, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { compileCodec } from "../../src/rpc/wire/message-codec.js";
import { initArbitrary } from "./support/message-arbitrary.js";
import {
  NestedSchema,
  OneofsSchema,
  RepeatedSchema,
  ScalarsSchema,
  WithMapSchema,
  WithOneofSchema,
} from "./support/test-schemas.js";

/**
 * The compiled codec against protobuf-es, on random messages of every request and response type the server and
 * the client (de)serialize, of a test file with every field kind and oneofs of every member kind, and of
 * google.protobuf.Value as a message (a oneof): the same bytes for init objects and for messages, and the same
 * message from protobuf-es's bytes.
 */

const RUNS = 1000;

const served = [SessionService, SessionAdminService, Health].flatMap((service) =>
  service.methods.flatMap((method) => [method.input, method.output]),
);
const schemas = [
  ...new Map(
    [
      ...served,
      ScalarsSchema,
      RepeatedSchema,
      NestedSchema,
      WithOneofSchema,
      OneofsSchema,
      ValueSchema,
      WithMapSchema,
    ].map((schema) => [schema.typeName, schema]),
  ).values(),
];

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe.each(schemas.map((schema) => [schema.typeName, schema] as const))("%s", (_, schema: DescMessage) => {
  const codec = compileCodec(schema);

  it(`encodes init objects and messages to protobuf-es's bytes, and decodes them to its messages (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(initArbitrary(schema), (init) => {
        const message = create(schema, init);
        const theirs = toBinary(schema, message);
        // Hex, so that a failure shows where the bytes part.
        expect(hex(codec.encode(init))).toBe(hex(theirs));
        expect(hex(codec.encode(message))).toBe(hex(theirs));
        expect(codec.decode(theirs)).toEqual(fromBinary(schema, theirs));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("coverage of the compiler", () => {
  it("compiles every type the services use except GetStoreStatsResponse (a map field)", () => {
    const fallbacks = served.filter((schema) => compileCodec(schema).fallbackReason !== undefined);
    expect([...new Set(fallbacks.map((schema) => schema.typeName))]).toEqual([
      "redisession.v1.GetStoreStatsResponse",
    ]);
    expect(
      compileCodec(schemas.find((s) => s.typeName.endsWith("GetStoreStatsResponse")) as DescMessage)
        .fallbackReason,
    ).toBe("a map field (encodings)");
  });
});
