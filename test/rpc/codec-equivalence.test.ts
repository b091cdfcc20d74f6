import { create, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { messageCodec, requestDecoder } from "../../src/rpc/wire/message-codec.js";
import { initArbitrary } from "./support/message-arbitrary.js";

/**
 * The service's codec against protobuf-es, on random messages of every request and response type the server and the
 * client (de)serialize: protobuf-es's bytes for init objects and for messages, and protobuf-es's message from its
 * bytes, whether the type has paths of its own (the messages that carry session data) or not.
 */

const RUNS = 1000;

const served = [SessionService, SessionAdminService, Health].flatMap((service) =>
  service.methods.flatMap((method) => [method.input, method.output]),
);
const schemas = [...new Map(served.map((schema) => [schema.typeName, schema])).values()];

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe.each(schemas.map((schema) => [schema.typeName, schema] as const))("%s", (_, schema: DescMessage) => {
  const codec = messageCodec(schema);
  const serverDecode = requestDecoder(schema);

  it(`encodes and decodes as protobuf-es (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(initArbitrary(schema), (init) => {
        const message = create(schema, init);
        const theirs = toBinary(schema, message);
        const decoded = fromBinary(schema, theirs);
        for (const value of [init, message]) {
          const ours = codec.encode(value);
          // Hex, so that a failure shows where the bytes part.
          expect(hex(ours)).toBe(hex(theirs));
        }
        expect(codec.decode(theirs)).toEqual(decoded);
        expect(serverDecode(Buffer.from(theirs))).toEqual(decoded);
      }),
      { numRuns: RUNS },
    );
  });
});
