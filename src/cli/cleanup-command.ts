import { parseArgs } from "node:util";
import { type ConfigEnv, loadConfig } from "../config/load-config.js";
import type { Sweeper, SweepReport } from "../store/session-repository.js";
import { CliError, EXIT_USAGE } from "./cli-error.js";
import { OpenStores, requireStore, storeFailure } from "./open-stores.js";
import { createSweepProgress, type ProgressStream } from "./sweep-progress.js";

/** `1.2 s`, or `35 ms` under a second. */
export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The one-line summary of a store's sweep. */
export function sweepSummary(store: string, report: SweepReport): string {
  return (
    `${store}: swept ${report.bucketsScanned} buckets, ${report.fieldsScanned} sessions examined, ` +
    `${report.fieldsRemoved} expired removed, ${report.corruptFields} corrupt, in ${formatElapsed(report.elapsedMs)}`
  );
}

/**
 * `redisession cleanup [--config FILE] [--store NAME | --all]`: sweeps every bucket of each hash store named
 * (default: the default store), with progress on stderr, then prints one summary line per store on stdout.
 * String stores have nothing to sweep: Redis expires their keys itself.
 */
export async function cleanupCommand(
  args: string[],
  env: ConfigEnv,
  io: { stdout: NodeJS.WritableStream; stderr: ProgressStream } = process,
): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { config: { type: "string" }, store: { type: "string" }, all: { type: "boolean" } },
    strict: true,
  });
  if (values.all === true && values.store !== undefined) {
    throw new CliError("cleanup takes --store or --all, not both", EXIT_USAGE);
  }
  const config = loadConfig({ path: values.config, env });
  const names = values.all === true ? Object.keys(config.stores) : [requireStore(config, values.store).name];
  const swept = names.filter((name) => config.stores[name]?.strategy === "hash");

  // Only the connections of stores with something to sweep are opened.
  const stores = swept.length > 0 ? await OpenStores.open(config, swept) : undefined;
  try {
    for (const name of names) {
      const sweeper = stores !== undefined && swept.includes(name) ? stores.get(name).sweeper : null;
      if (sweeper === null) {
        io.stdout.write(`${name}: nothing to sweep (string strategy)\n`);
        continue;
      }
      const report = await sweepStore(name, sweeper, io.stderr);
      io.stdout.write(`${sweepSummary(name, report)}\n`);
    }
  } finally {
    await stores?.close();
  }
}

/** One full pass over the store's buckets, from bucket 0, showing progress on `stderr`. */
async function sweepStore(name: string, sweeper: Sweeper, stderr: ProgressStream): Promise<SweepReport> {
  const progress = createSweepProgress(name, sweeper.layout.count, stderr);
  try {
    return await sweeper.sweep({
      fromBucket: 0,
      onProgress: (done, total) => progress.update(done, total),
    });
  } catch (error) {
    throw storeFailure(name, "sweep", error);
  } finally {
    progress.stop();
  }
}
