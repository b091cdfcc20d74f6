import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * What a request carries (a store name, a session's values such as tokens) does not outlive the request in the
 * process: no cache of decoded strings keeps it, so a memory dump taken later does not hold it. Checked in a
 * child process with a heap snapshot after a full garbage collection.
 */

const script = fileURLToPath(new URL("./support/decode-and-forget.ts", import.meta.url));

async function afterDecoding(field: "store" | "data"): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", "--import", "tsx", script, field],
    { timeout: 60_000 },
  );
  return stdout.trim();
}

describe("decoded request values", () => {
  it.each(["store", "data"] as const)("are gone from the heap once the request is (%s)", async (field) => {
    expect(await afterDecoding(field)).toBe("gone");
  });
});
