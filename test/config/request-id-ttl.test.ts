import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { issueLines } from "./config-test-helpers.js";

/** A store's `requestIdTtl`: how long a Create's or Rotate's request_id is remembered. */
describe("requestIdTtl", () => {
  const store = (requestIdTtl?: unknown) =>
    parseConfig({ stores: { default: requestIdTtl === undefined ? {} : { requestIdTtl } } }, {}).stores
      .default;

  it("defaults to 10 minutes, and takes any duration from 1 second to 1 day", () => {
    expect(store()?.requestIdTtl).toBe(600);
    expect(store("1s")?.requestIdTtl).toBe(1);
    expect(store("90m")?.requestIdTtl).toBe(5400);
    expect(store("1d")?.requestIdTtl).toBe(86_400);
  });

  it.each([
    [0, "stores.default.requestIdTtl: must be at least 1 second"],
    ["25h", "stores.default.requestIdTtl: must be at most 86400 seconds (1d)"],
    ["1.5m", "stores.default.requestIdTtl: must be a whole number; fractions are not allowed"],
  ])("refuses %j, naming the field", (value, message) => {
    const lines = issueLines(() => store(value));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
  });
});
