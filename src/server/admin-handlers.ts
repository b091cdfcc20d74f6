import type { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { type Config, DEFAULT_STORE } from "../config/config-schema.js";
import type { StoreRegistry } from "../store/store-registry.js";
import { purgeResponse, statsResponse, storeInfo } from "./admin-messages.js";
import type { ServiceImpl } from "./service-impl.js";

/** Keys sampled for stats when the request names no sample size. */
const DEFAULT_SAMPLE_SIZE = 32;

/** The SessionAdminService handlers, over the configured stores; sweeps are reported to the stores' observer. */
export function adminHandlers(
  stores: StoreRegistry,
  config: Config,
): ServiceImpl<typeof SessionAdminService> {
  return {
    async purgeExpired(request, context) {
      const { sweeper } = stores.get(request.store);
      if (sweeper === null) return { applicable: false };
      const report = await sweeper.sweep({
        fromBucket: request.fromBucket,
        maxBuckets: request.budget === 0 ? undefined : request.budget,
        signal: context.signal,
      });
      stores.observer.swept?.(request.store || DEFAULT_STORE, report);
      return purgeResponse(report);
    },

    async getStoreStats(request) {
      const repository = stores.get(request.store);
      const stats = await repository.stats({ sampleSize: request.sampleSize || DEFAULT_SAMPLE_SIZE });
      return statsResponse(request.store || DEFAULT_STORE, stats);
    },

    async listStores() {
      return {
        stores: Object.values(config.stores).map((store) => storeInfo(store, config.redis[store.redis])),
      };
    },
  };
}
