import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useServer } from "../support/server-fixture.js";
import { documentedExamples, scratchRunner } from "./readme-examples.js";

/**
 * The publishable packages as a user gets them: built and packed (`npm pack`), installed from the tarballs into a
 * scratch project outside the repository, the TypeScript examples of the README and docs/ compiled there with a strict tsconfig
 * against the installed declarations, and run against a real server. Also `npm publish --dry-run` of each tarball.
 */

const repo = process.cwd();
const run = promisify(execFile);
const served = useServer();

/** The packages meant to be published: their workspace directories and names. */
const PACKAGES = [
  { dir: "clients/typescript", name: "@redisession/client" },
  { dir: "clients/express-session", name: "@redisession/express-session" },
] as const;
const CLIENT_DEPENDENCIES = ["@bufbuild/protobuf", "@grpc/grpc-js"];

/** Runs a command; without the parent npm's `npm_*` variables, so that a nested npm sees only its own project. */
async function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_")));
  return run(command, args, { cwd, env: { ...clean, ...env }, maxBuffer: 64 * 1024 * 1024 });
}

/** The installed version of a package of the repository, so that the scratch install finds it in npm's cache. */
async function repoVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(repo, "node_modules", name, "package.json"), "utf8"));
  return `${name}@${manifest.version}`;
}

let scratch = "";
const tarballs = new Map<string, { file: string; files: string[] }>();

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "redisession-packages-"));
  await sh(process.execPath, ["scripts/build-package.mjs", "express-session"], repo);
  const packed = await sh(
    "npm",
    [
      "pack",
      "--json",
      "--ignore-scripts", // built just above; prepack would build the client twice
      "--pack-destination",
      scratch,
      ...PACKAGES.flatMap(({ dir }) => ["--workspace", dir]),
    ],
    repo,
  );
  for (const entry of JSON.parse(packed.stdout) as {
    name: string;
    filename: string;
    files: { path: string }[];
  }[]) {
    tarballs.set(entry.name, {
      file: join(scratch, entry.filename),
      files: entry.files.map((file) => file.path),
    });
  }
  await writeFile(
    join(scratch, "package.json"),
    JSON.stringify({ name: "scratch", private: true, type: "module" }),
  );
}, 300_000);

afterAll(async () => {
  if (scratch !== "") await rm(scratch, { recursive: true, force: true });
});

function tarball(name: string): { file: string; files: string[] } {
  const found = tarballs.get(name);
  if (found === undefined) throw new Error(`npm pack made no tarball of ${name}`);
  return found;
}

describe("the packed packages", () => {
  it("hold only their build, their manifest and their README", () => {
    // The client's build is the shared client sources and their generated code, nothing of the server.
    for (const path of tarball("@redisession/client").files) {
      expect(path).toMatch(
        /^(package\.json|README\.md|dist\/src\/(index|client\/[\w-]+|rpc\/[\w/-]+|common\/[\w-]+)\.(js|d\.ts)|dist\/gen\/(redisession\/v1|google\/rpc)\/\w+\.(js|d\.ts))$/,
      );
    }
    expect(tarball("@redisession/client").files).toContain("dist/src/client/admin-client.d.ts");
    for (const path of tarball("@redisession/express-session").files) {
      expect(path).toMatch(/^(package\.json|README\.md|dist\/[\w-]+\.(js|d\.ts))$/);
    }
  });

  it("the client installs with no runtime dependencies but @grpc/grpc-js and @bufbuild/protobuf", async () => {
    await sh(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball("@redisession/client").file],
      scratch,
    );
    const manifest = JSON.parse(
      await readFile(join(scratch, "node_modules/@redisession/client/package.json"), "utf8"),
    ) as Record<string, Record<string, string> | undefined>;
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual(CLIENT_DEPENDENCIES);
    expect(manifest.peerDependencies).toBeUndefined();
    expect(manifest.optionalDependencies).toBeUndefined();
    expect(manifest.bundleDependencies ?? manifest.bundledDependencies).toBeUndefined();

    // Nothing of the server's came along, directly or through the two.
    const tree = JSON.parse((await sh("npm", ["ls", "--all", "--json"], scratch)).stdout);
    const installed = new Set<string>();
    const walk = (node: { dependencies?: Record<string, object> }) => {
      for (const [name, child] of Object.entries(node.dependencies ?? {})) {
        installed.add(name);
        walk(child);
      }
    };
    walk(tree);
    const server = JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const serverOnly = Object.keys(server.dependencies).filter((name) => !CLIENT_DEPENDENCIES.includes(name));
    expect(serverOnly.filter((name) => installed.has(name))).toEqual([]);
    console.log(`packed-packages: installing the client tarball brings ${installed.size} packages`);
  }, 300_000);

  it("compiles the TypeScript examples of the README and docs/ strictly and runs them against a real server", async () => {
    await sh(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        tarball("@redisession/express-session").file,
        ...(await Promise.all(
          ["express", "express-session", "@types/express", "@types/express-session", "@types/node"].map(
            repoVersion,
          ),
        )),
      ],
      scratch,
    );
    const examples = await documentedExamples(repo);
    expect(examples.map((example) => example.name).sort()).toEqual([
      "express",
      "install",
      "quickstart",
      "retry-create",
      "tls-client",
    ]);
    await mkdir(join(scratch, "src"), { recursive: true });
    for (const { name, code } of examples) await writeFile(join(scratch, "src", `${name}.ts`), code);
    await writeFile(
      join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: ["node"],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noImplicitReturns: true,
          verbatimModuleSyntax: true,
          skipLibCheck: false,
          rootDir: "src",
          outDir: "dist",
        },
        include: ["src"],
      }),
    );
    // The repository's compiler, so that the scratch project needs no TypeScript of its own.
    await sh(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", scratch], scratch);

    await writeFile(join(scratch, "run-examples.mjs"), scratchRunner);
    const { stdout } = await sh(process.execPath, ["run-examples.mjs"], scratch, {
      REDISESSION_TARGET: `127.0.0.1:${served.server.port}`,
      PORT: "0",
    });
    const lines = stdout.trim().split("\n");
    expect(lines).toContain("MALFORMED_KEY [ 'key' ]");
    expect(lines).toContain("stores [ 'default', 'strings' ]");
    expect(lines.find((line) => line.startsWith("expires "))).toMatch(/^expires \d{4}-\d\d-\d\dT/);
    expect(JSON.parse(lines.at(-1) ?? "")).toEqual({
      quickstart: [
        "created version 1",
        "saved version 2",
        "rotated: old key retired",
        "deleted: true",
        "old key: not found",
      ],
      logIn: 1,
      express: [
        [200, { user: "ada" }],
        [200, { user: "ada", views: 1 }],
        [200, { user: "ada", views: 2 }],
        [200, { user: null }],
        [200, { user: null, views: 1 }],
      ],
    });
  }, 300_000);

  it("passes npm publish --dry-run", async () => {
    for (const { name } of PACKAGES) {
      const { stdout, stderr } = await sh("npm", ["publish", "--dry-run", tarball(name).file], scratch);
      expect(`${stdout}${stderr}`).toContain(name);
    }
  }, 300_000);
});
