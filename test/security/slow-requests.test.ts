import { type ClientHttp2Session, connect, constants } from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import {
  ServerReflection,
  ServerReflectionRequestSchema,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { methodPath } from "../../src/rpc/method-definitions.js";
import { delta, scrape } from "../metrics/prometheus-text.js";
import { healthWatch, rawClient } from "../support/raw-grpc.js";
import { grpcFrame } from "../support/raw-http2.js";
import { useRedis } from "../support/redis-fixture.js";
import { useServer } from "../support/server-fixture.js";
import { slowRequest } from "../support/slow-streams.js";

useRedis();
const REQUEST_TIMEOUT_MS = 1_000;
const served = useServer({ server: { requestTimeoutMs: REQUEST_TIMEOUT_MS } });

const sessions: ClientHttp2Session[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.destroy();
});

/** A raw HTTP/2 connection to the server, below any gRPC library. */
function rawSession(): ClientHttp2Session {
  const session = connect(`http://127.0.0.1:${served.server.port}`);
  session.on("error", () => {});
  sessions.push(session);
  return session;
}

const GET_SESSION = methodPath(SessionService.method.getSession);

describe("slow requests (slowloris)", () => {
  it("ends every stream whose request never completes: DEADLINE_EXCEEDED by requestTimeoutMs, then a reset", async () => {
    const before = await scrape(served.server.metricsPort);
    const session = rawSession();
    const opened = Date.now();
    // 50 streams on one connection, each announcing a 100-byte request and sending a byte every 20 ms.
    const slow = Array.from({ length: 50 }, () => slowRequest(session, GET_SESSION));

    // Meanwhile the shipped client is served.
    const { session: made } = await served.client.createSession({
      content: { case: "data", value: { a: 1 } },
    });
    expect((await served.client.getSession({ key: made?.key ?? "" })).session?.content).toEqual({
      case: "data",
      value: { a: 1 },
    });

    for (const stream of await Promise.all(slow)) {
      expect(stream.grpcStatus).toBe(status.DEADLINE_EXCEEDED);
      expect(stream.grpcMessage).toBe("deadline exceeded before the request arrived");
      // Closed by the server while the client was still sending: RST_STREAM NO_ERROR after the status.
      expect(stream.cutOff).toBe(true);
      expect(stream.rstCode).toBe(constants.NGHTTP2_NO_ERROR);
    }
    // Not before the timeout: it counts from each stream's arrival, which came after `opened`.
    expect(Date.now() - opened).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 1);
    // Counted like any call that ended DEADLINE_EXCEEDED.
    const after = await scrape(served.server.metricsPort);
    expect(
      delta(before, after, "redisession_rpc_calls_total", {
        rpc: "redisession.v1.SessionService/GetSession",
        code: "DEADLINE_EXCEEDED",
      }),
    ).toBe(50);
    // The connection itself serves on.
    expect(session.closed).toBe(false);
  });

  it("ends a Watch whose request never arrives, but lets a Watch whose request did live on", async () => {
    const raw = rawClient(`127.0.0.1:${served.server.port}`);
    try {
      const watch = healthWatch(raw);
      await expect.poll(() => watch.statuses).toEqual([Serving.SERVING]);
      const slow = await slowRequest(rawSession(), methodPath(Health.method.watch));
      expect(slow.grpcStatus).toBe(status.DEADLINE_EXCEEDED);
      expect(slow.rstCode).toBe(constants.NGHTTP2_NO_ERROR);
      // The slow Watch opened after the good one and was ended by requestTimeoutMs; the good one is still open.
      expect(watch.ended).toBe(false);
      expect(watch.statuses).toEqual([Serving.SERVING]);
      watch.cancel();
    } finally {
      raw.close();
    }
  });

  it("ends a reflection stream kept open past requestTimeoutMs, with its status after the answers it had", async () => {
    // One complete request (list the services), then the stream is left open: a bidi call runs from the start.
    const listServices = toBinary(
      ServerReflectionRequestSchema,
      create(ServerReflectionRequestSchema, { messageRequest: { case: "listServices", value: "" } }),
    );
    const stream = await slowRequest(rawSession(), methodPath(ServerReflection.method.serverReflectionInfo), {
      first: grpcFrame(listServices),
      everyMs: 1_000_000,
    });
    expect(stream.bodyBytes).toBeGreaterThan(0);
    expect(stream.grpcStatus).toBe(status.DEADLINE_EXCEEDED);
    expect(stream.cutOff).toBe(true);
    expect(stream.rstCode).toBe(constants.NGHTTP2_NO_ERROR);
  });
});
