import { create, type DescMethod, fromBinary, ScalarType, toBinary } from "@bufbuild/protobuf";
import { type Client, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { methodDefinition, serviceDefinition } from "../../src/rpc/method-definitions.js";
import {
  MalformedRequestError,
  RequestTooDeepError,
  UndecodableRequest,
} from "../../src/rpc/undecodable-request.js";
import { WireDecodeError } from "../../src/rpc/wire/wire-errors.js";
import { healthCheck, rawClient } from "../support/raw-grpc.js";
import { useServer } from "../support/server-fixture.js";
import { bytes, delimited, tag, text } from "./support/wire-bytes.js";

/**
 * The grpc-js definitions built from the descriptors: serializers that take init objects as well as messages
 * (what handlers return), request deserializers that hand garbage over as an UndecodableRequest, and a real server
 * that answers garbage requests with INTERNAL (too deep ones with INVALID_ARGUMENT) and goes on serving.
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

  it("deserializes a request it cannot decode into an UndecodableRequest saying why, never a throw", () => {
    const definition = serviceDefinition(SessionService).getSession;
    const garbage = definition?.requestDeserialize(Buffer.from([0xff])) as unknown;
    expect(garbage).toBeInstanceOf(UndecodableRequest);
    expect((garbage as UndecodableRequest).error).toBeInstanceOf(MalformedRequestError);
    expect((garbage as UndecodableRequest).error.cause).toBeInstanceOf(WireDecodeError);
    const deepGroups = bytes(
      Array.from({ length: 101 }, () => tag(15, 3)).flat(),
      Array.from({ length: 101 }, () => tag(15, 4)).flat(),
    );
    const deep = definition?.requestDeserialize(Buffer.from(deepGroups)) as unknown;
    expect((deep as UndecodableRequest).error).toBeInstanceOf(RequestTooDeepError);
  });

  it("passes a response already encoded (a Buffer) through its response serializer", () => {
    const definition = serviceDefinition(SessionService).getSession;
    const encoded = Buffer.from([0x0a, 0x00]);
    expect(definition?.responseSerialize(encoded as never)).toBe(encoded);
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
    const garbage = [
      bytes([0xff, 0xff, 0xff]),
      bytes(tag(1, 7)),
      bytes(tag(2, 2), [0x7f]),
      bytes(delimited(2, [0xc3, 0x28])),
      bytes(tag(3, 0), [0x80, 0x80]),
      bytes(text(1, "default"), tag(2, 0), [1]),
    ];
    for (const body of garbage) {
      const error = await send(SessionService.method.getSession, body);
      expect(error?.code, Buffer.from(body).toString("hex")).toBe(status.INTERNAL);
      expect(error?.details).toBe("request message cannot be decoded");
    }
    expect((await healthCheck(client)).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const { session } = await served.client.createSession({
      content: { case: "data", value: { still: "serving" } },
    });
    expect((await served.client.getSession({ key: session?.key ?? "" })).session?.content).toEqual({
      case: "data",
      value: { still: "serving" },
    });
  });

  it("answers INVALID_ARGUMENT, not INTERNAL, to a request nested deeper than any message may be", async () => {
    // Groups (of an unknown field) nested far deeper than the decoder reads: the request's own fault.
    const deep = [
      ...Array.from({ length: 500 }, () => tag(15, 3)).flat(),
      ...Array.from({ length: 500 }, () => tag(15, 4)).flat(),
    ];
    const error = await send(SessionService.method.getSession, bytes(deep));
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/deeper than 100 protobuf messages/);
    expect((await healthCheck(client)).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });
});
