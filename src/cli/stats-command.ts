import { parseArgs } from "node:util";
import { type ConfigEnv, loadConfig } from "../config/load-config.js";
import type { StoreStats } from "../store/stats/store-stats.js";
import { OpenStores, requireStore, storeFailure } from "./open-stores.js";
import { formatStoreStats } from "./stats-table.js";

/**
 * `redisession stats [--config FILE] [--store NAME] [--json]`: what each store (default: every configured one)
 * looks like in Redis, as a table per store followed by its advisories, or with `--json` as one JSON object keyed
 * by store name.
 */
export async function statsCommand(
  args: string[],
  env: ConfigEnv,
  io: { stdout: NodeJS.WritableStream } = process,
): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { config: { type: "string" }, store: { type: "string" }, json: { type: "boolean" } },
    strict: true,
  });
  const config = loadConfig({ path: values.config, env });
  const names =
    values.store === undefined ? Object.keys(config.stores) : [requireStore(config, values.store).name];

  const stores = await OpenStores.open(config, names);
  const results: [string, StoreStats][] = [];
  try {
    for (const name of names) {
      try {
        results.push([name, await stores.get(name).stats()]);
      } catch (error) {
        throw storeFailure(name, "stats", error);
      }
    }
  } finally {
    await stores.close();
  }

  if (values.json === true) {
    io.stdout.write(`${JSON.stringify(Object.fromEntries(results), null, 2)}\n`);
  } else {
    io.stdout.write(`${results.map(([name, stats]) => formatStoreStats(name, stats)).join("\n\n")}\n`);
  }
}
