import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useServer } from "../support/server-fixture.js";
import { PYTHON, ROOT, run, SKIP_POLYGLOT, usePythonStubs } from "./python-tools.js";

/**
 * A Python back end with deeply nested session data (python_depth.py, Debian's python3-grpcio and python3-protobuf,
 * whose C++ runtime parses at most 100 nested messages and counts each object level as three). Every depth the
 * service accepts (the store's maxDataDepth: 32 by default) is stored, and read back equal by Python's own
 * parser, through GetSession and BatchGetSessions; beyond it, Python gets INVALID_ARGUMENT and nothing is stored.
 * Before, data Python itself could not read back was stored, and CreateSession echoed it in a response Python
 * failed to parse.
 *
 * REDISESSION_SKIP_POLYGLOT=1 skips this file, as python-client.test.ts; CI must not set it.
 */

/** The test stores' maxDataDepth: the default. */
const LIMIT = 32;
const DEPTHS = [...Array.from({ length: LIMIT + 8 }, (_, i) => i + 1), 48, 49, 50, 51, 100];

/** One shape and depth, as python_depth.py reports it. */
interface Case {
  shape: string;
  depth: number;
  create: string;
  save: string;
  create_answer?: string;
  get?: string[];
  get_equal?: boolean;
  batch?: string;
  batch_equal?: boolean;
}

const served = useServer();
const pythonStubs = usePythonStubs();

describe.skipIf(SKIP_POLYGLOT)("a Python client with deeply nested data", () => {
  it(`stores and reads back every depth up to ${LIMIT}, objects and lists, and gets INVALID_ARGUMENT beyond`, async () => {
    const stubs = await pythonStubs();
    const { stdout } = await run(PYTHON, [
      "-I",
      join(ROOT, "test/polyglot/python_depth.py"),
      `127.0.0.1:${served.server.port}`,
      stubs,
      JSON.stringify(DEPTHS),
    ]);
    const report = JSON.parse(stdout.trim().split("\n").pop() ?? "") as {
      batch_keys: number;
      cases: Case[];
    };
    expect(report.cases).toHaveLength(3 * DEPTHS.length);

    const accepted = report.cases.filter((c) => c.depth <= LIMIT);
    expect(accepted.map((c) => `${c.shape} ${c.depth}`)).toHaveLength(3 * LIMIT);
    for (const c of accepted) {
      expect(c, `${c.shape} nested ${c.depth}`).toEqual({
        shape: c.shape,
        depth: c.depth,
        create: "OK",
        save: "OK",
        create_answer: "redisession.v1.SessionInfo",
        get: ["OK", "OK"],
        get_equal: true,
        batch: "OK",
        batch_equal: true,
      });
    }
    expect(report.batch_keys).toBe(2 * accepted.length);

    for (const c of report.cases.filter((c) => c.depth > LIMIT)) {
      expect(c, `${c.shape} nested ${c.depth}`).toEqual({
        shape: c.shape,
        depth: c.depth,
        create: "INVALID_ARGUMENT",
        save: "INVALID_ARGUMENT",
      });
    }
  });
});
