import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { quickstart } from "../../examples/quickstart.js";
import { useServer } from "../support/server-fixture.js";

const served = useServer();

describe("the TypeScript client's quickstart example (docs/typescript.md)", () => {
  it("is examples/quickstart.ts, verbatim", () => {
    const page = readFileSync("docs/typescript.md", "utf8");
    const example = readFileSync("examples/quickstart.ts", "utf8");
    const block = /<!-- example: quickstart -->\n```ts\n([\s\S]*?)```\n/.exec(page)?.[1];
    expect(block).toBe(example);
  });

  it("runs against a real server", async () => {
    expect(await quickstart(`127.0.0.1:${served.server.port}`)).toEqual([
      "created version 1",
      "saved version 2",
      "rotated: old key retired",
      "deleted: true",
      "old key: not found",
    ]);
  });
});
