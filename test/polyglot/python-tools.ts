import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll } from "vitest";

/**
 * Debian's protoc and Python for the polyglot tests: stubs generated from proto/ by `/usr/bin/protoc --python_out`
 * (no gRPC plugin), run by `/usr/bin/python3` with python3-grpcio and python3-protobuf. Used by absolute path, on
 * purpose: `python3` on PATH may be another interpreter (a pyenv one without grpc), and the generated code must
 * match the protobuf runtime next to it. Missing tools fail a test, never skip it: a skipped test proves nothing in
 * CI. The one opt-out: REDISESSION_SKIP_POLYGLOT=1 skips, for machines that cannot install Debian packages; CI
 * must not set it.
 */

const execFileAsync = promisify(execFile);

/** The repository's root, where `proto/` is. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PROTOC = "/usr/bin/protoc";
export const PYTHON = "/usr/bin/python3";
/** Where Debian's libprotobuf-dev puts the well-known types (google/protobuf/struct.proto, ...). */
const WELL_KNOWN_TYPES = "/usr/include";
const INSTALL_HINT =
  "run .ci/run, or: apt-get install protobuf-compiler libprotobuf-dev python3-grpcio python3-protobuf";

/** Whether this machine opted out of the polyglot tests. */
export const SKIP_POLYGLOT = process.env.REDISESSION_SKIP_POLYGLOT === "1";

/** Runs `file` from the repository's root; a failure says what ran and what it printed on stderr. */
export async function run(file: string, args: string[], timeout = 60_000) {
  try {
    return await execFileAsync(file, args, { cwd: ROOT, timeout, encoding: "utf8", maxBuffer: 64 << 20 });
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

/**
 * A function that checks the tools and generates Python stubs of `protoFiles` (paths under proto/) into a new
 * temporary directory, returning it; the directories go when the file's tests are done.
 */
export function usePythonStubs(): (protoFiles?: readonly string[]) => Promise<string> {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
  return async (protoFiles = ["redisession/v1/session_service.proto"]) => {
    await assertToolsInstalled();
    const stubs = await mkdtemp(join(tmpdir(), "redisession-python-"));
    dirs.push(stubs);
    await run(PROTOC, [`--python_out=${stubs}`, "-I", "proto", "-I", WELL_KNOWN_TYPES, ...protoFiles]);
    return stubs;
  };
}
