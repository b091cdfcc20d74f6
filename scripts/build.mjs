// `npm run build`: compiles src/ and gen/ into dist/ with tsc, then records a fingerprint of what it compiled.
// `--if-stale` (what `npm start` runs): compiles only when that fingerprint no longer matches the sources, so that a
// start with nothing changed costs a hash of the sources (tens of milliseconds) instead of a compile (seconds; tsc's
// own incremental mode still takes seconds to find that nothing changed).
//
// The fingerprint covers every file under the compiled directories, the tsconfig files and the compiler's version,
// by content: a checkout, a copy or a clock that moves file times cannot make a stale dist/ look fresh.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_DIRS = ["src", "gen"];
const SOURCE_FILES = ["tsconfig.json", "tsconfig.build.json", "node_modules/typescript/package.json"];
const FINGERPRINT = "dist/.build-fingerprint";
/** What `npm start` runs: without it, dist/ is not a build to start from, whatever the fingerprint says. */
const ENTRY = "dist/src/cli/main.js";

/** Every file under `dir` (relative to the root), sorted, so that the fingerprint does not depend on listing order. */
function filesUnder(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length))
    .sort();
}

function fingerprint() {
  const hash = createHash("sha256");
  for (const file of [...SOURCE_DIRS.flatMap(filesUnder), ...SOURCE_FILES]) {
    const path = join(root, file);
    hash.update(`${file}\0`);
    hash.update(existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "missing");
    hash.update("\n");
  }
  return hash.digest("hex");
}

function recorded() {
  try {
    return readFileSync(join(root, FINGERPRINT), "utf8").trim();
  } catch {
    return undefined;
  }
}

// Taken before compiling: a source edited during the compile makes the next start compile again.
const current = fingerprint();
if (process.argv.includes("--if-stale") && existsSync(join(root, ENTRY)) && recorded() === current) {
  process.exit(0);
}
const tsc = join(root, "node_modules/typescript/bin/tsc");
const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(join(root, FINGERPRINT), `${current}\n`);
