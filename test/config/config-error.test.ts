import { describe, expect, it } from "vitest";
import { ConfigError, formatConfigPath } from "../../src/config/index.js";

describe("ConfigError", () => {
  it("lists every issue on its own line under a header naming the source", () => {
    const error = new ConfigError(
      [
        { path: "stores.default.bucketBits", message: "must be an integer from 1 to 24" },
        { path: "", message: "line 3, column 1: Map keys must be unique" },
      ],
      { source: "/etc/redisession.yaml" },
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ConfigError");
    expect(error.source).toBe("/etc/redisession.yaml");
    expect(error.message).toBe(
      [
        "Invalid configuration in /etc/redisession.yaml:",
        "  stores.default.bucketBits: must be an integer from 1 to 24",
        "  line 3, column 1: Map keys must be unique",
      ].join("\n"),
    );
  });

  it("omits the source when there is none and keeps the cause", () => {
    const cause = new Error("boom");
    const error = new ConfigError([{ path: "stores", message: "must define at least one store" }], { cause });
    expect(error.message).toBe("Invalid configuration:\n  stores: must define at least one store");
    expect(error.cause).toBe(cause);
    expect(error.source).toBeUndefined();
  });
});

describe("formatConfigPath", () => {
  it.each([
    [[], ""],
    [["stores"], "stores"],
    [["stores", "default", "bucketBits"], "stores.default.bucketBits"],
    [["stores", "web-2_b", "prefix"], "stores.web-2_b.prefix"],
    [["stores", "eu.web", "prefix"], 'stores["eu.web"].prefix'],
    [["redis", "my cache"], 'redis["my cache"]'],
    [["list", 0, "x"], "list[0].x"],
  ] as const)("formats %j as %s", (segments, text) => {
    expect(formatConfigPath(segments)).toBe(text);
  });
});
