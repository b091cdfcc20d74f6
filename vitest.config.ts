import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Examples import the packages by their names, as users do; in tests that is the source, not a build.
    alias: {
      redisession: fileURLToPath(new URL("./src/index.ts", import.meta.url)),
      "@redisession/client": fileURLToPath(new URL("./src/index.ts", import.meta.url)),
      "@redisession/express-session": fileURLToPath(
        new URL("./clients/express-session/src/index.ts", import.meta.url),
      ),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Each test file gets its own process: memory assertions (peak RSS) and Redis clients stay per file.
    pool: "forks",
    // One private redis-server per worker (see global-setup.ts).
    maxWorkers: 2,
    // Hang guards, not speed limits: CPU-bound tests (10,000 fuzzed requests, the processes that start `serve` from
    // the sources) take many times longer on a loaded 2-core machine than on an idle one, and must pass there too.
    // Measured with stress-ng on both cores and other suites running (load average 14-20): up to 121 s for the fuzz
    // test; hence a guard of more than twice that.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // expect.poll waits for an event (a status change, a process exit, a lease taken over); its bound only says
    // when to give up on one that never comes, so it is generous: a busy machine delays events, it does not
    // prevent them.
    expect: { poll: { timeout: 10_000 } },
  },
});
