import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Code } from "../../src/client/index.js";
import { failureOf } from "../support/call-helpers.js";
import { useServer } from "../support/server-fixture.js";
import { PYTHON, ROOT, run, SKIP_POLYGLOT, usePythonStubs } from "./python-tools.js";

/**
 * A Python back end against a real server: stubs generated from proto/ by Debian's protoc (`--python_out`, no
 * gRPC plugin), calls made with Debian's python3-grpcio through the generic `channel.unary_unary` (see
 * python-tools.ts for why Debian's, and the one opt-out).
 */

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
  got_json_data: unknown;
  saved_version: number;
  exact_json_version: number;
  exact_json_read: string;
  big_read: string;
  stale_save_code: string;
  version_after_stale_save: number;
  delete_existed: boolean;
  after_delete_code: string;
}

const served = useServer();
const pythonStubs = usePythonStubs();

describe.skipIf(SKIP_POLYGLOT)("a Python client (protoc + grpcio)", () => {
  it("creates, gets (as a Struct and as JSON text), saves with a version condition and deletes a session", async () => {
    const stubs = await pythonStubs();
    expect(existsSync(join(stubs, "redisession/v1/session_service_pb2.py"))).toBe(true);

    const { stdout } = await run(PYTHON, [
      "-I",
      join(ROOT, "test/polyglot/python_client.py"),
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
    expect(summary.got_json_data).toEqual(SESSION_DATA);
    expect(summary.saved_version).toBe(2);
    expect(summary.stale_save_code).toBe("ABORTED");
    expect(summary.version_after_stale_save).toBe(2);
    // JSON text with 2^53 + 1 and -0, stored and read back as written: Python reads the integer exactly.
    expect(summary.exact_json_version).toBe(3);
    expect(summary.exact_json_read).toBe('{"big":9007199254740993,"count":9,"zero":-0}');
    expect(summary.big_read).toBe("9007199254740993");
    expect(summary.delete_existed).toBe(true);
    expect(summary.after_delete_code).toBe("NOT_FOUND");

    // The Python client's writes are the server's: the shipped client agrees the session is gone.
    expect((await failureOf(served.client.getSession({ key: summary.key }))).code).toBe(Code.NOT_FOUND);
  });
});
