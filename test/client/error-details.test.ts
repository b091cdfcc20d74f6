import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { Code, SessionServiceError } from "../../src/client/index.js";
import { ErrorReason, type ErrorReasonName, type FieldViolation } from "../../src/index.js";
import {
  connect,
  deadTarget,
  never,
  rejectionOf,
  StatusError,
  startFakeServer,
} from "./fake-session-server.js";

/**
 * How the client reads `grpc-status-details-bin`, exactly, against a server that sends whatever the test scripts:
 * well-formed details, and the damaged, foreign or missing ones a proxy or another server may send. The real
 * server's details are tested end to end in test/server/error-details*.test.ts.
 */

const KEY = "0123456789abcdef0123456789abcdef";

function errorInfo(reason: string, metadata: Record<string, string> = {}, domain = "redisession") {
  return anyPack(ErrorInfoSchema, create(ErrorInfoSchema, { reason, domain, metadata }));
}

function badRequest(...fields: string[]) {
  const fieldViolations = fields.map((field) => ({ field, description: `${field} is wrong`, reason: "X" }));
  return anyPack(BadRequestSchema, create(BadRequestSchema, { fieldViolations }));
}

/** Trailers carrying `bytes` as grpc-status-details-bin. */
function trailers(bytes: Uint8Array): Metadata {
  const metadata = new Metadata();
  metadata.set("grpc-status-details-bin", Buffer.from(bytes));
  return metadata;
}

/** The error a SaveSession fails with when the server throws `error`. */
async function failure(error: StatusError): Promise<SessionServiceError> {
  const server = await startFakeServer({
    saveSession: () => {
      throw error;
    },
  });
  const rejected = await rejectionOf(connect(server.target, { retry: false }).saveSession({ key: KEY }));
  expect(rejected).toBeInstanceOf(SessionServiceError);
  return rejected as SessionServiceError;
}

describe("SessionServiceError reads the server's google.rpc.Status", () => {
  it("exposes the ErrorInfo's reason and metadata, and every field violation in order", async () => {
    const status = create(StatusSchema, {
      code: Code.INVALID_ARGUMENT,
      message: "bad",
      details: [
        errorInfo("TTL_OUT_OF_RANGE", { min_seconds: "1", max_seconds: "60" }),
        badRequest("ttl", "keys[2]"),
      ],
    });
    const error = await failure(
      new StatusError(Code.INVALID_ARGUMENT, "bad", trailers(toBinary(StatusSchema, status))),
    );

    expect(error.reason).toBe("TTL_OUT_OF_RANGE");
    expect(error.errorMetadata).toEqual({ min_seconds: "1", max_seconds: "60" });
    expect(error.fieldViolations).toEqual([
      { field: "ttl", description: "ttl is wrong" },
      { field: "keys[2]", description: "keys[2] is wrong" },
    ]);
    expect(Object.isFrozen(error.errorMetadata)).toBe(true);
    expect(Object.isFrozen(error.fieldViolations)).toBe(true);
  });

  it.each([
    ["no trailer", undefined],
    ["bytes that are no Status", trailers(Buffer.from([0x0a, 0xff, 0xff, 0xff]))],
    [
      "an Any whose bytes are not what its type URL says",
      trailers(
        toBinary(
          StatusSchema,
          create(StatusSchema, {
            code: Code.NOT_FOUND,
            details: [
              { typeUrl: "type.googleapis.com/google.rpc.ErrorInfo", value: new Uint8Array([0x0a, 0x7f]) },
            ],
          }),
        ),
      ),
    ],
    [
      "a Status of another code (a proxy's, describing another failure)",
      trailers(
        toBinary(
          StatusSchema,
          create(StatusSchema, { code: Code.INTERNAL, details: [errorInfo("INTERNAL"), badRequest("key")] }),
        ),
      ),
    ],
  ])("has no details, and does not throw, with %s", async (_what, metadata) => {
    const error = await failure(new StatusError(Code.NOT_FOUND, "missing", metadata));
    expect(error.code).toBe(Code.NOT_FOUND);
    expect(error.reason).toBeUndefined();
    expect(error.errorMetadata).toEqual({});
    expect(error.fieldViolations).toEqual([]);
  });

  it("takes the reason only from an ErrorInfo of the redisession domain", async () => {
    const status = create(StatusSchema, {
      code: Code.RESOURCE_EXHAUSTED,
      details: [
        errorInfo("RATE_LIMIT_EXCEEDED", { quota: "9" }, "gateway.example.com"),
        errorInfo("DATA_TOO_LARGE"),
      ],
    });
    const error = await failure(
      new StatusError(Code.RESOURCE_EXHAUSTED, "big", trailers(toBinary(StatusSchema, status))),
    );
    expect(error.reason).toBe("DATA_TOO_LARGE");
    expect(error.errorMetadata).toEqual({});

    const foreignOnly = create(StatusSchema, {
      code: Code.RESOURCE_EXHAUSTED,
      details: [errorInfo("RATE_LIMIT_EXCEEDED", { quota: "9" }, "gateway.example.com")],
    });
    const foreign = await failure(
      new StatusError(Code.RESOURCE_EXHAUSTED, "slow down", trailers(toBinary(StatusSchema, foreignOnly))),
    );
    expect(foreign.reason).toBeUndefined();
    expect(foreign.errorMetadata).toEqual({});
  });
});

describe("the package root", () => {
  it("exports the reason catalog callers compare reasons with", () => {
    const name: ErrorReasonName = "MALFORMED_KEY";
    const violation: FieldViolation = { field: "key", description: "malformed" };
    expect(ErrorReason[ErrorReason.MALFORMED_KEY]).toBe(name);
    expect(violation.field).toBe("key");
  });
});

describe("failures made on the client side have no reason", () => {
  it("a passed deadline (DEADLINE_EXCEEDED from grpc-js)", async () => {
    const server = await startFakeServer({ getSession: never });
    const error = (await rejectionOf(
      connect(server.target, { retry: false }).getSession({ key: KEY }, { timeoutMs: 50 }),
    )) as SessionServiceError;
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(error.reason).toBeUndefined();
    expect(error.fieldViolations).toEqual([]);
  });

  it("no server (UNAVAILABLE), an aborted signal (CANCELLED), an unusable option (INVALID_ARGUMENT)", async () => {
    const unavailable = (await rejectionOf(
      connect(await deadTarget()).createSession({}),
    )) as SessionServiceError;
    const server = await startFakeServer({});
    const client = connect(server.target);
    const cancelled = (await rejectionOf(
      client.deleteSession({ key: KEY }, { signal: AbortSignal.abort() }),
    )) as SessionServiceError;
    const invalid = (await rejectionOf(
      client.deleteSession({ key: KEY }, { timeoutMs: -1 }),
    )) as SessionServiceError;

    expect([unavailable.code, cancelled.code, invalid.code]).toEqual([
      Code.UNAVAILABLE,
      Code.CANCELLED,
      Code.INVALID_ARGUMENT,
    ]);
    for (const error of [unavailable, cancelled, invalid]) {
      expect(error.reason).toBeUndefined();
      expect(error.errorMetadata).toEqual({});
      expect(error.fieldViolations).toEqual([]);
    }
  });
});
