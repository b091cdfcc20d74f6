import { describe, expect, it } from "vitest";
import { createSessionClient } from "../../src/client/index.js";

describe("the client's token option", () => {
  it("refuses a token a header cannot carry, without repeating it", () => {
    for (const token of ["", "two words", "tab\there", "naïve"]) {
      expect(() => createSessionClient("127.0.0.1:1", { token })).toThrow(
        new TypeError("token must be a non-empty string of visible ASCII characters without spaces"),
      );
    }
  });

  it("refuses a token together with an authorization metadata entry", () => {
    expect(() =>
      createSessionClient("127.0.0.1:1", { token: "abc", metadata: { Authorization: "Bearer other" } }),
    ).toThrow(new TypeError("give either token or an authorization metadata entry, not both"));
  });
});
