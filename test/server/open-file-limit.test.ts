import { describe, expect, it } from "vitest";
import { connectionLimitWarning, openFileLimit, RESERVED_FILES } from "../../src/server/open-file-limit.js";

/** /proc/self/limits as Linux writes it, with the given soft and hard limits of open files. */
const limits = (soft: string, hard: string) =>
  [
    "Limit                     Soft Limit           Hard Limit           Units     ",
    "Max processes             63707                63707                processes ",
    `Max open files            ${soft.padEnd(21)}${hard.padEnd(21)}files     `,
    "Max locked memory         8388608              8388608              bytes     ",
  ].join("\n");

describe("the open-file limit", () => {
  it("is the soft limit of /proc/self/limits; unknown when unlimited or unreadable", () => {
    expect(openFileLimit(() => limits("1024", "524288"))).toBe(1024);
    expect(openFileLimit(() => limits("unlimited", "unlimited"))).toBeUndefined();
    expect(
      openFileLimit(() => {
        throw new Error("ENOENT");
      }),
    ).toBeUndefined();
    // This process's, on Linux (where the tests run).
    expect(openFileLimit()).toBeGreaterThan(0);
  });

  it("warns when server.maxConnections leaves too few files for the rest of the process", () => {
    expect(connectionLimitWarning(900, 1024)).toBeUndefined();
    expect(connectionLimitWarning(1024 - RESERVED_FILES, 1024)).toBeUndefined();
    expect(connectionLimitWarning(1024 - RESERVED_FILES + 1, 1024)).toBe(
      "server.maxConnections (925) leaves fewer than 100 of the process's 1024 open files for Redis and the " +
        "rest: lower it, or raise the limit (ulimit -n)",
    );
    expect(connectionLimitWarning(16_777_216, undefined)).toBeUndefined();
  });
});
