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
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
