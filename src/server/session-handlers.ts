import type { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { SessionNotFoundError } from "../store/errors.js";
import type { StoreRegistry } from "../store/store-registry.js";
import { InvalidRequestError, TooManyKeysError } from "./call-errors.js";
import { REQUEST_FIELD } from "./request-fields.js";
import type { ServiceImpl } from "./service-impl.js";
import {
  dataReader,
  requestData,
  requestId,
  saveCondition,
  sessionInfo,
  sessionMessage,
  ttlSeconds,
} from "./session-messages.js";

/** Most keys one BatchGetSessions may ask for: bounds the work and the reply size of one call. */
export const MAX_BATCH_KEYS = 1000;

/**
 * The SessionService handlers: each finds the request's store and calls its repository, nothing else. Failures
 * are thrown as they come; the service bridge maps them to status codes in one place.
 */
export function sessionHandlers(stores: StoreRegistry): ServiceImpl<typeof SessionService> {
  return {
    async createSession(request) {
      const repository = stores.get(request.store);
      const session = await repository.create(requestData(request.content, repository.maxSessionBytes), {
        ttl: ttlSeconds(request.idleTtl),
        requestId: requestId(request.requestId),
      });
      // The caller has the data it sent; echoing it would double the bytes of every login.
      return { session: sessionInfo(session) };
    },

    async getSession(request) {
      const repository = stores.get(request.store);
      // A TTL for a read that slides nothing is a caller's mistake, not something to ignore.
      if (!request.touch && request.idleTtl !== undefined) {
        throw new InvalidRequestError(REQUEST_FIELD.idleTtl, "idle_ttl is only allowed with touch");
      }
      const session = await repository.get(
        request.key,
        { touch: request.touch, ttl: ttlSeconds(request.idleTtl) },
        dataReader(request.dataFormat),
      );
      if (session === null) throw new SessionNotFoundError("no live session under this key");
      return { session: sessionMessage(session) };
    },

    async batchGetSessions(request) {
      if (request.keys.length > MAX_BATCH_KEYS) throw new TooManyKeysError(MAX_BATCH_KEYS);
      const result = await stores.get(request.store).getMany(request.keys, dataReader(request.dataFormat));
      return {
        sessions: result.found.map(sessionMessage),
        missingKeys: result.missing,
        corruptKeys: result.corrupt,
      };
    },

    async saveSession(request) {
      const repository = stores.get(request.store);
      const condition = saveCondition(request.condition, request.expectedVersion);
      const saved = await repository.save(
        request.key,
        requestData(request.content, repository.maxSessionBytes),
        {
          ttl: ttlSeconds(request.idleTtl),
          condition,
        },
      );
      // The caller has the data it sent; echoing it would double the bytes of every save.
      return { session: sessionInfo(saved) };
    },

    async touchSession(request) {
      const stamp = await stores.get(request.store).touch(request.key, { ttl: ttlSeconds(request.idleTtl) });
      return { session: sessionInfo(stamp) };
    },

    async deleteSession(request) {
      return { existed: await stores.get(request.store).delete(request.key) };
    },

    async rotateSessionKey(request) {
      // The data is read (encoded) before the session moves: once it has, nothing can fail to answer the new key.
      const session = await stores
        .get(request.store)
        .rotate(request.key, dataReader(request.dataFormat), { requestId: requestId(request.requestId) });
      return { session: sessionMessage(session) };
    },
  };
}
