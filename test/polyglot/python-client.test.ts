import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { Code } from "../../src/client/index.js";
import { failureOf } from "../support/call-helpers.js";
import { useServer } from "../support/server-fixture.js";

/**
 * A Python back end against a real server: stubs generated from proto/ by Debian's protoc (`--python_out`, no
 * gRPC plugin), calls made with Debian's python3-grpcio through the generic `channel.unary_unary`.
 *
 * Debian's tools are used by absolute path, on purpose: `python3` on PATH may be another interpreter (a pyenv
 * one without grpc), and the generated code must match the protobuf runtime next to it. Missing tools fail
 * the test, never skip it: a skipped test proves nothing in CI. The one opt-out: REDISESSION_SKIP_POLYGLOT=1
 * skips this file, for machines that cannot install Debian packages; CI must not set it.
 */

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const PROTOC = "/usr/bin/protoc";
const PYTHON = "/usr/bin/python3";
// Debian's libprotobuf-dev puts the well-known types (google/protobuf/struct.proto, ...) here.
const WELL_KNOWN_TYPES = "/usr/include";
const PROTO_FILE = "redisession/v1/session_service.proto";
const INSTALL_HINT =
  "run .ci/run, or: apt-get install protobuf-compiler libprotobuf-dev python3-grpcio python3-protobuf";

/** Sent as the session's data: nested values, a list, numbers, booleans, nulls and empty containers. */
const SESSION_DATA = {
  user: { id: 42, name: "Ada Lovelace", roles: ["admin", "dev"], prefs: { theme: "dark" } },
  cart: [1, 2.5, "three", true, null, { sku: "x-1" }, []],
  count: 7,
  ratio: -0.125,
  active: true,
  banned: false,
  nothing: null,
  empty: {},
  "unicode ключ": "żółw 🐢",
};

/** What python_client.py prints. */
interface Summary {
  grpcio: string;
  key: string;
  created_version: number;
  got_key: string;
  got_version: number;
  sent_data: unknown;
  got_data: unknown;
  saved_version: number;
  stale_save_code: string;
  version_after_stale_save: number;
  delete_existed: boolean;
  after_delete_code: string;
}

async function run(file: string, args: string[], timeout = 20_000) {
  try {
    return await execFileAsync(file, args, { cwd: root, timeout, encoding: "utf8" });
  } catch (error) {
    const { code, stderr } = error as { code?: unknown; stderr?: string };
    throw new Error(`${file} ${args.join(" ")} failed (${String(code)}): ${stderr?.trim() ?? ""}`, {
      cause: error,
    });
  }
}

/** Fails with one line naming what is missing and how to install it. */
async function assertToolsInstalled() {
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

const served = useServer();
const tempDirs: string[] = [];
afterAll(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe.skipIf(process.env.REDISESSION_SKIP_POLYGLOT === "1")("a Python client (protoc + grpcio)", () => {
  it("creates, gets, saves with a version condition and deletes a session", async () => {
    await assertToolsInstalled();
    const stubs = await mkdtemp(join(tmpdir(), "redisession-python-"));
    tempDirs.push(stubs);
    await run(PROTOC, [`--python_out=${stubs}`, "-I", "proto", "-I", WELL_KNOWN_TYPES, PROTO_FILE]);
    expect(existsSync(join(stubs, "redisession/v1/session_service_pb2.py"))).toBe(true);

    const { stdout } = await run(PYTHON, [
      "-I",
      join(root, "test/polyglot/python_client.py"),
      `127.0.0.1:${served.server.port}`,
      stubs,
      JSON.stringify(SESSION_DATA),
    ]);
    const lines = stdout.trim().split("\n");
    const summary = JSON.parse(lines[lines.length - 1] ?? "") as Summary;

    expect(summary.key).toMatch(/^[0-9a-f]{32}$/);
    expect(summary.got_key).toBe(summary.key);
    expect(summary.created_version).toBe(1);
    expect(summary.got_version).toBe(1);
    expect(summary.sent_data).toEqual(SESSION_DATA);
    expect(summary.got_data).toEqual(SESSION_DATA);
    expect(summary.saved_version).toBe(2);
    expect(summary.stale_save_code).toBe("ABORTED");
    expect(summary.version_after_stale_save).toBe(2);
    expect(summary.delete_existed).toBe(true);
    expect(summary.after_delete_code).toBe("NOT_FOUND");

    // The Python client's writes are the server's: the shipped client agrees the session is gone.
    expect((await failureOf(served.client.getSession({ key: summary.key }))).code).toBe(Code.NOT_FOUND);
  });
});
