import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = process.cwd();

function filesUnder(dir: string, skip: (name: string) => boolean = () => false): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      if (skip(name)) continue;
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "latin1"));
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

describe("clients/python's generated code", () => {
  it("is exactly what `npm run generate` makes from proto/ (scripts/generate-python.sh, pinned grpcio-tools)", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "redisession-gen-python-"));
    // The first run makes the generator's virtual environment (cached under .cache/python), hence the timeout.
    await run("bash", ["scripts/generate-python.sh", "--out", scratch], { cwd: root, timeout: 300_000 });
    const generated = join(root, "clients/python/src/redisession");
    // The generated files: redisession/v1/ and the descriptor set beside it; nothing else in the package.
    const isGenerated = (path: string) => path.startsWith("v1/") || path === "_rpc_status.binpb";
    const expected = filesUnder(scratch);
    const actual = new Map(
      [...filesUnder(generated, (name) => name === "__pycache__")].filter(([path]) => isGenerated(path)),
    );
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected)
      expect(actual.get(path) === content, `clients/python/src/redisession/${path} differs`).toBe(true);
  }, 300_000);
});
