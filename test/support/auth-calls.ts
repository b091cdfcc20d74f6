import { create, type DescMethod, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { type Client, Metadata } from "@grpc/grpc-js";
import {
  ServerReflection,
  type ServerReflectionResponse,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { hashToken } from "../../src/auth/token-hash.js";
import { type AnyMessage, methodDefinition } from "../../src/rpc/method-definitions.js";
import { unary } from "./raw-grpc.js";

/** Metadata carrying `authorization: Bearer <token>`, or none when `token` is undefined. */
export function bearer(token: string | undefined): Metadata {
  const metadata = new Metadata();
  if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

/** One token-table entry for `token`, as an operator writes it (`<sha256 hex> <scopes> <stores>`). */
export function tokenEntry(token: string, scopes: string, stores: string): string {
  return `${hashToken(token).toString("hex")} ${scopes} ${stores}`;
}

/** One unary call through a raw grpc-js client, with the given metadata. */
export function unaryWith<M extends DescMethod>(
  client: Client,
  method: M,
  request: MessageInitShape<M["input"]>,
  metadata: Metadata,
): Promise<MessageShape<M["output"]>> {
  return unary(client, method, request, 5_000, metadata);
}

/** The services a server lists over reflection (v1), as grpcurl's `list` asks; rejects with the call's error. */
export function listServices(client: Client, metadata: Metadata): Promise<string[]> {
  const definition = methodDefinition(ServerReflection.method.serverReflectionInfo);
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      metadata,
      { deadline: Date.now() + 5_000 },
    );
    call.on("data", (response: ServerReflectionResponse) => {
      const answer = response.messageResponse;
      resolve(answer.case === "listServicesResponse" ? answer.value.service.map((s) => s.name) : []);
      call.end();
    });
    call.on("error", reject);
    call.write(
      create(ServerReflection.method.serverReflectionInfo.input, {
        messageRequest: { case: "listServices", value: "" },
      }) as AnyMessage,
    );
  });
}
