import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../support/ports.js";
import { type ServeProcess, spawnServe } from "../support/serve-process.js";

/**
 * The private redis-server is a convenience for a first `npm start` only: any configuration of Redis turns it off, so
 * that a production service whose Redis is down reports NOT_SERVING instead of silently serving sessions from an
 * empty throwaway Redis. Each case points the service at a port where nothing listens: had the fallback started, the
 * service would have been pointed at the private server, found Redis at once and not warned.
 */
const PRIVATE_REDIS_MESSAGE = /started a private redis-server/;
const UNREACHABLE_MESSAGE =
  "Redis is not reachable yet; serving anyway and reporting NOT_SERVING until it is";

let serve: ServeProcess | undefined;
afterEach(async () => {
  await serve?.kill();
  serve = undefined;
});

function messages(process: ServeProcess): string[] {
  return process.logs.map((record) => String(record.msg));
}

describe("the private redis-server fallback", () => {
  it("is off with --config", async () => {
    const port = await freePort();
    serve = await spawnServe(
      `redis:\n  default:\n    url: redis://127.0.0.1:${port}\nserver:\n  metrics:\n    enabled: false\n`,
    );
    expect(messages(serve)).toContain(UNREACHABLE_MESSAGE);
    expect(messages(serve).join("\n")).not.toMatch(PRIVATE_REDIS_MESSAGE);
  });

  it("is off with REDIS_URL", async () => {
    const port = await freePort();
    serve = await spawnServe(undefined, { REDIS_URL: `redis://127.0.0.1:${port}` }, [
      "--metrics-port",
      "off",
    ]);
    expect(messages(serve)).toContain(UNREACHABLE_MESSAGE);
    expect(messages(serve).join("\n")).not.toMatch(PRIVATE_REDIS_MESSAGE);
  });
});
