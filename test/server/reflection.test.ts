import {
  create,
  createFileRegistry,
  type DescMessage,
  fromBinary,
  fromJson,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { type Client, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ServerReflection,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { type AnyMessage, methodDefinition } from "../../src/rpc/method-definitions.js";
import { rawClient } from "../support/raw-grpc.js";
import { useServer } from "../support/server-fixture.js";

const served = useServer();
let client: Client;

beforeAll(() => {
  client = rawClient(`127.0.0.1:${served.server.port}`);
});
afterAll(() => client.close());

/** One request/response exchange on the reflection stream, as grpcurl makes them. */
function reflect(request: Omit<ServerReflectionRequest, "$typeName" | "host">["messageRequest"]) {
  const definition = methodDefinition(ServerReflection.method.serverReflectionInfo);
  return new Promise<ServerReflectionResponse>((resolve, reject) => {
    const call = client.makeBidiStreamRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      new Metadata(),
      { deadline: Date.now() + 5_000 },
    );
    call.on("data", (response: ServerReflectionResponse) => {
      resolve(response);
      call.end();
    });
    call.on("error", reject);
    call.write(
      create(ServerReflection.method.serverReflectionInfo.input, { messageRequest: request }) as AnyMessage,
    );
  });
}

/**
 * The file declaring `symbol` and, transitively, every file it imports, as a registry: all grpcurl has to work
 * with. Like grpcurl, asks by file name for any import the first answer did not include.
 */
async function registryFor(symbol: string) {
  const files = new Map<string, ReturnType<typeof decodeFiles>[number]>();
  const decodeFiles = (response: ServerReflectionResponse) => {
    if (response.messageResponse.case !== "fileDescriptorResponse") throw new Error("no file descriptors");
    return response.messageResponse.value.fileDescriptorProto.map((bytes) =>
      fromBinary(FileDescriptorProtoSchema, bytes),
    );
  };
  const add = (response: ServerReflectionResponse) => {
    for (const file of decodeFiles(response)) files.set(file.name, file);
  };
  add(await reflect({ case: "fileContainingSymbol", value: symbol }));
  for (
    let missing = [...files.values()].flatMap((f) => f.dependency).filter((d) => !files.has(d));
    missing.length > 0;
  ) {
    for (const name of missing) add(await reflect({ case: "fileByFilename", value: name }));
    missing = [...files.values()].flatMap((f) => f.dependency).filter((d) => !files.has(d));
  }
  const top = [...files.values()].find((file) => file.name === files.keys().next().value);
  if (top === undefined) throw new Error("no file for the symbol");
  return createFileRegistry(top, (name) => files.get(name));
}

describe("server reflection", () => {
  it("lists SessionService, SessionAdminService and Health", async () => {
    const response = await reflect({ case: "listServices", value: "" });
    expect(response.messageResponse.case).toBe("listServicesResponse");
    const names =
      response.messageResponse.case === "listServicesResponse"
        ? response.messageResponse.value.service.map((s) => s.name)
        : [];
    expect(names).toEqual(
      expect.arrayContaining([
        "redisession.v1.SessionService",
        "redisession.v1.SessionAdminService",
        "grpc.health.v1.Health",
      ]),
    );
  });

  it("resolves SessionService's file and its imports, enough to call it from JSON with no proto at hand", async () => {
    const registry = await registryFor("redisession.v1.SessionService");
    const service = registry.getService("redisession.v1.SessionService");
    expect(service?.methods.map((m) => m.name)).toEqual([
      "CreateSession",
      "GetSession",
      "BatchGetSessions",
      "SaveSession",
      "TouchSession",
      "DeleteSession",
      "RotateSessionKey",
    ]);
    expect(registry.getFile("google/protobuf/struct.proto")).toBeDefined();

    // What `grpcurl -d '{"data": {...}, "idle_ttl": "60s"}' ... CreateSession` does: JSON in, binary on the wire.
    const call = async (name: string, json: object) => {
      const method = service?.methods.find((m) => m.name === name);
      if (method === undefined) throw new Error(`no method ${name}`);
      const request = fromJson(method.input, json as never, { registry });
      const bytes = await new Promise<Buffer>((resolve, reject) =>
        client.makeUnaryRequest(
          `/${service?.typeName}/${name}`,
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from(toBinary(method.input as DescMessage, request)),
          new Metadata(),
          { deadline: Date.now() + 5_000 },
          (error, reply) => (error || reply === undefined ? reject(error) : resolve(reply)),
        ),
      );
      return toJson(method.output, fromBinary(method.output, bytes), { registry }) as unknown;
    };
    const created = (await call("CreateSession", { data: { user: "grace" }, idle_ttl: "60s" })) as {
      session: { key: string; data: unknown; version: number; idleTtl: string };
    };
    // A SessionInfo: the data is not echoed.
    const create = service?.methods.find((m) => m.name === "CreateSession");
    expect(create?.output.fields.find((f) => f.name === "session")?.message?.typeName).toBe(
      "redisession.v1.SessionInfo",
    );
    expect(created.session.data).toBeUndefined();
    expect(created.session.version).toBe(1);
    expect(created.session.idleTtl).toBe("60s");
    const got = (await call("GetSession", { key: created.session.key })) as { session: { data: unknown } };
    expect(got.session.data).toEqual({ user: "grace" });
    const asText = (await call("GetSession", {
      key: created.session.key,
      data_format: "DATA_FORMAT_JSON",
    })) as { session: { data?: unknown; dataJson: string } };
    expect(asText.session.data).toBeUndefined();
    expect(JSON.parse(asText.session.dataJson)).toEqual({ user: "grace" });
  });

  it("serves the error details' types and the ErrorReason catalog, which no service message refers to", async () => {
    const details = await registryFor("google.rpc.ErrorInfo");
    expect(details.getMessage("google.rpc.ErrorInfo")?.fields.map((f) => [f.name, f.number])).toEqual([
      ["reason", 1],
      ["domain", 2],
      ["metadata", 3],
    ]);
    expect(details.getMessage("google.rpc.BadRequest.FieldViolation")).toBeDefined();

    const status = await registryFor("google.rpc.Status");
    expect(status.getMessage("google.rpc.Status")?.field.details?.message?.typeName).toBe(
      "google.protobuf.Any",
    );
    expect(status.getFile("google/protobuf/any.proto")).toBeDefined();

    const reasons = await registryFor("redisession.v1.ErrorReason");
    expect(reasons.getEnum("redisession.v1.ErrorReason")?.values.map((v) => v.name)).toContain(
      "ERROR_REASON_MALFORMED_KEY",
    );
  });

  it("answers NOT_FOUND for an unknown symbol", async () => {
    const response = await reflect({ case: "fileContainingSymbol", value: "no.such.Thing" });
    expect(response.messageResponse.case).toBe("errorResponse");
  });
});
