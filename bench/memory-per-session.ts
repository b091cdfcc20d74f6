/**
 * Bytes of Redis memory per session, by strategy and bucket count: N sessions of a fixed-size JSON payload are
 * written through the repository into a private redis-server, and `used_memory` is read before and after.
 *
 * Run: node --import tsx bench/memory-per-session.ts [sessions] [payloadBytes]
 */
import { startRedisServer } from "../src/cli/redis-server-process.js";
import { parseConfig } from "../src/config/load-config.js";
import { createSessionRepository } from "../src/store/create-repository.js";
import { createRedisClient } from "../src/store/redis-connection.js";

const sessions = Number(process.argv[2] ?? 100_000);
const payloadBytes = Number(process.argv[3] ?? 48);

const layouts = [
  { label: "string", store: { strategy: "string" } },
  { label: "hash, 2^12 buckets", store: { strategy: "hash", bucketBits: 12 } },
  { label: "hash, 2^16 buckets", store: { strategy: "hash", bucketBits: 16 } },
];

async function usedMemory(client: ReturnType<typeof createRedisClient>): Promise<number> {
  const info = String(await client.sendCommand(["INFO", "memory"]));
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

const redis = await startRedisServer();
const client = createRedisClient({ name: "bench", url: redis.url, connectTimeoutMs: 2_000 });
await client.connect();
const rows: string[] = [];
try {
  for (const { label, store } of layouts) {
    await client.sendCommand(["FLUSHALL"]);
    const config = parseConfig({ stores: { bench: { prefix: "s:", codec: "none", ...store } } }).stores.bench;
    if (config === undefined) throw new Error("no store");
    const repository = createSessionRepository(config, client);
    // A JSON object whose serialized form is `payloadBytes` long: {"d":"xxxx…"}.
    const data = { d: "x".repeat(Math.max(0, payloadBytes - 8)) };
    const before = await usedMemory(client);
    for (let done = 0; done < sessions; done += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, sessions - done) }, () => repository.create(data)),
      );
    }
    const after = await usedMemory(client);
    const stats = await repository.stats();
    rows.push(
      `| ${label} | ${((after - before) / sessions).toFixed(1)} | ${JSON.stringify(stats.encodings)} | ${stats.advisories.length} |`,
    );
  }
} finally {
  await client.close();
  await redis.stop();
}
console.log(`${sessions} sessions, ${payloadBytes}-byte JSON payloads, codec none, Redis defaults\n`);
console.log("| layout | bytes per session | sampled encodings | advisories |");
console.log("| --- | ---: | --- | ---: |");
for (const row of rows) console.log(row);
