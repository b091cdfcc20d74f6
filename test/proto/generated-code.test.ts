import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = process.cwd();

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

describe("gen/", () => {
  it("is exactly what `buf generate` makes from proto/ (nobody edited it, nobody forgot to regenerate)", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "redisession-gen-"));
    for (const entry of ["proto", "buf.yaml", "buf.gen.yaml"])
      cpSync(join(root, entry), join(scratch, entry), { recursive: true });
    await run(join(root, "node_modules/.bin/buf"), ["generate"], {
      cwd: scratch,
      env: { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}` },
    });
    const expected = filesUnder(join(scratch, "gen"));
    const actual = filesUnder(join(root, "gen"));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected) expect(actual.get(path), `gen/${path} differs`).toBe(content);
  });
});
