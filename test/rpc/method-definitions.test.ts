import { create, type DescMethod, fromBinary, ScalarType, toBinary } from "@bufbuild/protobuf";
import { type Client, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { methodDefinition, serviceDefinition } from "../../src/rpc/method-definitions.js";
import { WireDecodeError } from "../../src/rpc/wire/wire-errors.js";
import { healthCheck, rawClient } from "../support/raw-grpc.js";
import { useServer } from "../support/server-fixture.js";
import { bytes, delimited, tag, text } from "./support/wire-bytes.js";

/**
 * The grpc-js definitions built from the descriptors: serializers that take init objects as well as messages
 * (what handlers return), deserializers that refuse garbage with a WireDecodeError, and a real server that answers
 * garbage requests with INTERNAL and goes on serving.
 */

const methods = [SessionService, SessionAdminService, Health].flatMap((service) => service.methods);

describe("method definitions", () => {
  it.each(methods.map((method) => [`${method.parent.name}.${method.name}`, method] as const))(
    "%s (de)serializes init objects and messages as protobuf-es",
    (_, method: DescMethod) => {
      const definition = methodDefinition(method);
      expect(definition.path).toBe(`/${method.parent.typeName}/${method.name}`);
      for (const [schema, serialize, deserialize] of [
        [method.input, definition.requestSerialize, definition.requestDeserialize],
        [method.output, definition.responseSerialize, definition.responseDeserialize],
      ] as const) {
        const init = Object.fromEntries(
          schema.fields
            .filter((field) => field.fieldKind === "scalar" && field.scalar === ScalarType.STRING)
            .map((field) => [field.localName, "x"]),
        );
        const message = create(schema, init);
        const expected = Buffer.from(toBinary(schema, message));
        expect(serialize(init as never)).toEqual(expected);
        expect(serialize(message)).toEqual(expected);
        expect(deserialize(expected)).toEqual(fromBinary(schema, expected));
      }
    },
  );

  it("deserializes garbage into a WireDecodeError, which grpc-js turns into INTERNAL", () => {
    const definition = serviceDefinition(SessionService).getSession;
    expect(() => definition?.requestDeserialize(Buffer.from([0xff]))).toThrow(WireDecodeError);
  });
});

describe("a server receiving garbage", () => {
  const served = useServer();
  let client: Client;

  beforeAll(() => {
    client = rawClient(`127.0.0.1:${served.server.port}`);
  });
  afterAll(() => client.close());

  /** Sends `body` as the request of `method`, as it is. */
  function send(method: DescMethod, body: Uint8Array): Promise<ServiceError | undefined> {
    const definition = methodDefinition(method);
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        definition.path,
        (raw: Buffer) => raw,
        definition.responseDeserialize,
        Buffer.from(body),
        new Metadata(),
        { deadline: Date.now() + 5_000 },
        (error) => resolve(error ?? undefined),
      );
    });
  }

  it("answers INTERNAL to malformed requests of every kind, and keeps serving", async () => {
    // Groups (of an unknown field) nested far deeper than any message may be.
    const deep = [
      ...Array.from({ length: 500 }, () => tag(15, 3)).flat(),
      ...Array.from({ length: 500 }, () => tag(15, 4)).flat(),
    ];
    const garbage = [
      bytes([0xff, 0xff, 0xff]),
      bytes(tag(1, 7)),
      bytes(tag(2, 2), [0x7f]),
      bytes(delimited(2, [0xc3, 0x28])),
      bytes(tag(3, 0), [0x80, 0x80]),
      bytes(text(1, "default"), tag(2, 0), [1]),
      bytes(deep),
    ];
    for (const body of garbage) {
      const error = await send(SessionService.method.getSession, body);
      expect(error?.code, Buffer.from(body).toString("hex")).toBe(status.INTERNAL);
    }
    expect((await healthCheck(client)).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const { session } = await served.client.createSession({ data: { still: "serving" } });
    expect(session?.data).toEqual({ still: "serving" });
  });
});
