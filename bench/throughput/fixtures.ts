/**
 * The sessions and request bodies every measurement uses: sessions are created through the shipped client, each
 * request body is written once for h2load, and every body is sent once through grpc-js and its response checked,
 * so the figures come from requests the server accepts and answers correctly.
 */
import { create, type JsonObject, toBinary } from "@bufbuild/protobuf";
import {
  HealthCheckRequestSchema,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
} from "../../gen/grpc/health/v1/health_pb.js";
import {
  BatchGetSessionsRequestSchema,
  BatchGetSessionsResponseSchema,
  GetSessionRequestSchema,
  GetSessionResponseSchema,
  SaveCondition,
  SaveSessionRequestSchema,
  SaveSessionResponseSchema,
} from "../../gen/redisession/v1/session_service_pb.js";
import { createSessionClient } from "../../src/client/index.js";
import { type RequestBody, verifyBody, writeBody } from "./grpc-frames.js";
import { BATCH_KEYS, CONNECTIONS, type StoreVariant } from "./workload.js";

export const HEALTH_CHECK = "/grpc.health.v1.Health/Check";
export const GET_SESSION = "/redisession.v1.SessionService/GetSession";
export const SAVE_SESSION = "/redisession.v1.SessionService/SaveSession";
export const BATCH_GET = "/redisession.v1.SessionService/BatchGetSessions";

/** The RPC name of a path as the service's metrics label it (no leading slash). */
export const rpcOf = (path: string): string => path.slice(1);

/** The bodies of one store. */
export interface StoreFixtures {
  readonly variant: StoreVariant;
  /** One GetSession body per connection, each with its own session key. */
  readonly getBodies: readonly RequestBody[];
  /**
   * One MUST_EXIST SaveSession body: the same existing session on every call (a session key none of the reads
   * use), so that every call is an update.
   */
  readonly saveBody: RequestBody;
  /** One BatchGetSessions body per connection, each with 100 distinct keys (disjoint between bodies). */
  readonly batchBodies: readonly RequestBody[];
}

/** Sorted-key JSON, to compare a session's data with what was stored (Struct does not keep key order). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The Health/Check body (an empty request: the whole server's status), verified to answer SERVING. */
export async function healthBody(port: number, dir: string): Promise<RequestBody> {
  const body = writeBody(
    dir,
    "health",
    toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, {})),
  );
  const response = await verifyBody(port, HEALTH_CHECK, body, HealthCheckResponseSchema);
  if (response.status !== HealthCheckResponse_ServingStatus.SERVING) {
    throw new Error(`Health/Check answered ${HealthCheckResponse_ServingStatus[response.status]}`);
  }
  return body;
}

/** Creates `count` sessions in `store` through the shipped client, 100 at a time. */
async function createSessions(
  port: number,
  store: string,
  count: number,
  data: () => JsonObject,
): Promise<Map<string, JsonObject>> {
  const client = createSessionClient(`127.0.0.1:${port}`);
  const sessions = new Map<string, JsonObject>();
  try {
    for (let done = 0; done < count; done += 100) {
      const batch = Array.from({ length: Math.min(100, count - done) }, () => data());
      const created = await Promise.all(
        batch.map((init) => client.createSession({ store, content: { case: "data", value: init } })),
      );
      created.forEach((response, index) => {
        const key = response.session?.key;
        if (key === undefined) throw new Error("CreateSession returned no session");
        sessions.set(key, batch[index] as JsonObject);
      });
    }
  } finally {
    client.close();
  }
  return sessions;
}

/**
 * Creates `sessionCount` sessions in the variant's store, writes its request bodies into `dir` and checks each
 * through grpc-js: every read body returns its own session with the data it was created with, the save body
 * saves, and every batch body finds all of its 100 sessions.
 */
export async function storeFixtures(
  port: number,
  dir: string,
  variant: StoreVariant,
  sessionCount: number,
  data: () => JsonObject,
): Promise<StoreFixtures> {
  const store = variant.name;
  const needed = CONNECTIONS * BATCH_KEYS + CONNECTIONS + 1;
  const sessions = await createSessions(port, store, Math.max(sessionCount, needed), data);
  const keys = [...sessions.keys()];
  const getMessage = (key: string) =>
    toBinary(GetSessionRequestSchema, create(GetSessionRequestSchema, { store, key }));

  const getBodies: RequestBody[] = [];
  for (let index = 0; index < CONNECTIONS; index++) {
    const key = keys[index] as string;
    const body = writeBody(dir, `${store}-get-${index}`, getMessage(key));
    const { session } = await verifyBody(port, GET_SESSION, body, GetSessionResponseSchema);
    const stored = { case: "data", value: sessions.get(key) };
    if (session?.key !== key || canonical(session.content) !== canonical(stored)) {
      throw new Error(`GetSession in ${store} did not return the session it was created with`);
    }
    getBodies.push(body);
  }

  const saveKey = keys[CONNECTIONS] as string;
  const saveMessage = create(SaveSessionRequestSchema, {
    store,
    key: saveKey,
    content: { case: "data", value: data() },
    condition: SaveCondition.MUST_EXIST,
  });
  const saveBody = writeBody(dir, `${store}-save`, toBinary(SaveSessionRequestSchema, saveMessage));
  const saved = await verifyBody(port, SAVE_SESSION, saveBody, SaveSessionResponseSchema);
  if (saved.session?.key !== saveKey || saved.session.version < 2) {
    throw new Error(`SaveSession in ${store} did not update session ${saveKey}`);
  }

  const batchBodies: RequestBody[] = [];
  for (let index = 0; index < CONNECTIONS; index++) {
    const slice = keys.slice(
      CONNECTIONS + 1 + index * BATCH_KEYS,
      CONNECTIONS + 1 + (index + 1) * BATCH_KEYS,
    );
    const message = create(BatchGetSessionsRequestSchema, { store, keys: slice });
    const body = writeBody(dir, `${store}-batch-${index}`, toBinary(BatchGetSessionsRequestSchema, message));
    const response = await verifyBody(port, BATCH_GET, body, BatchGetSessionsResponseSchema);
    if (
      response.sessions.length !== BATCH_KEYS ||
      response.missingKeys.length + response.corruptKeys.length > 0
    ) {
      throw new Error(
        `BatchGetSessions in ${store} found ${response.sessions.length} of ${BATCH_KEYS} sessions`,
      );
    }
    batchBodies.push(body);
  }

  return { variant, getBodies, saveBody, batchBodies };
}
