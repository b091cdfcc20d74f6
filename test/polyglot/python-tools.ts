import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/**
 * Debian's protoc and Python, by absolute path, for the polyglot tests (see python-client.test.ts for why: the
 * generated code must match the protobuf runtime next to it, and a `python3` on PATH may be another one). Missing
 * tools fail a test, never skip it; only REDISESSION_SKIP_POLYGLOT=1 skips (for machines that cannot install
 * Debian packages; CI must not set it).
 */

const execFileAsync = promisify(execFile);

/** The repository's root, where `proto/` is. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PROTOC = "/usr/bin/protoc";
export const PYTHON = "/usr/bin/python3";
/** Where Debian's libprotobuf-dev puts the well-known types (google/protobuf/struct.proto, ...). */
export const WELL_KNOWN_TYPES = "/usr/include";
const INSTALL_HINT =
  "run .ci/run, or: apt-get install protobuf-compiler libprotobuf-dev python3-grpcio python3-protobuf";

/** Runs `file` from the repository's root; a failure says what ran and what it printed on stderr. */
export async function run(file: string, args: string[], timeout = 20_000) {
  try {
    return await execFileAsync(file, args, { cwd: ROOT, timeout, encoding: "utf8" });
  } catch (error) {
    const { code, stderr } = error as { code?: unknown; stderr?: string };
    throw new Error(`${file} ${args.join(" ")} failed (${String(code)}): ${stderr?.trim() ?? ""}`, {
      cause: error,
    });
  }
}

/** Fails with one line naming what is missing and how to install it. */
export async function assertToolsInstalled(): Promise<void> {
  const missing: string[] = [];
  if (!existsSync(PROTOC)) missing.push(`${PROTOC} (protobuf-compiler)`);
  if (!existsSync(join(WELL_KNOWN_TYPES, "google/protobuf/struct.proto")))
    missing.push(`${WELL_KNOWN_TYPES}/google/protobuf/*.proto (libprotobuf-dev)`);
  // -I: only the system's packages, not the user's site-packages or PYTHONPATH.
  const python = await execFileAsync(PYTHON, ["-I", "-c", "import grpc, google.protobuf"]).catch(() => null);
  if (python === null)
    missing.push(`grpc and google.protobuf for ${PYTHON} (python3-grpcio python3-protobuf)`);
  if (missing.length > 0) throw new Error(`polyglot test needs ${missing.join(", ")}: ${INSTALL_HINT}`);
}

/** Whether this machine opted out of the polyglot tests. */
export const SKIP_POLYGLOT = process.env.REDISESSION_SKIP_POLYGLOT === "1";
