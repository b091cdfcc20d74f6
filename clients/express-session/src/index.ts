/**
 * An express-session store over redisession: `new RedisessionStore({ target: "sessions:50051" })`, given to
 * `session({ store, genid: store.genid, ... })`. Sessions are read, saved with compare-and-set, touched, rotated
 * and deleted by the redisession service; `@redisession/client` is the client underneath.
 *
 * @module
 */
export {
  RedisessionStore,
  type RedisessionStoreConfig,
  type RedisessionStoreOptions,
} from "./redisession-store.js";
export { SessionStoreError } from "./store-error.js";
