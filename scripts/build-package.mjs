// Builds one publishable package under clients/ into its dist/ (what `npm pack` runs as `prepack`):
// `client` compiles the shared client sources into clients/typescript/dist; `express-session` first builds the
// client (whose declarations it compiles against) and then clients/express-session/dist. dist/ is emptied first so
// that a file removed from the sources cannot linger in a tarball.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = { client: "clients/typescript", "express-session": "clients/express-session" };
const BUILD_ORDER = { client: ["client"], "express-session": ["client", "express-session"] };

const name = process.argv[2];
if (!Object.hasOwn(BUILD_ORDER, name)) {
  console.error(`usage: node scripts/build-package.mjs ${Object.keys(PACKAGES).join("|")}`);
  process.exit(2);
}
const tsc = join(root, "node_modules/typescript/bin/tsc");
for (const step of BUILD_ORDER[name]) {
  const dir = join(root, PACKAGES[step]);
  rmSync(join(dir, "dist"), { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.build.json")], {
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
