import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** One TypeScript example of the README or of docs/: the name in its `<!-- example: NAME -->` marker, and its code. */
export interface ReadmeExample {
  readonly name: string;
  readonly code: string;
}

/**
 * Every TypeScript block of one document, each named by the marker line just before it (which may add a remark in
 * parentheses, such as why the runner leaves it out).
 *
 * @param source the document's path, named in the error.
 * @throws Error for a `ts` block without a marker: every example must be compiled and run, none left out.
 */
export function readmeExamples(readme: string, source = "README.md"): ReadmeExample[] {
  const examples: ReadmeExample[] = [];
  for (const match of readme.matchAll(
    /(?:<!-- example: ([\w-]+)(?: \([^)]*\))? -->\n)?```ts\n([\s\S]*?)```\n/g,
  )) {
    const [, name, code = ""] = match;
    if (name === undefined) {
      throw new Error(
        `a TypeScript block of ${source} has no <!-- example: NAME --> marker: ${code.slice(0, 80)}`,
      );
    }
    examples.push({ name, code });
  }
  return examples;
}

/**
 * The TypeScript examples of the README and of every page of docs/ (the README keeps the short ones, docs/ the
 * rest: all are compiled and run alike).
 *
 * @throws Error for a `ts` block without a marker in any of them.
 */
export async function documentedExamples(repo: string): Promise<ReadmeExample[]> {
  const pages = (await readdir(join(repo, "docs"))).filter((name) => name.endsWith(".md")).sort();
  const sources = ["README.md", ...pages.map((name) => `docs/${name}`)];
  const examples: ReadmeExample[] = [];
  for (const source of sources)
    examples.push(...readmeExamples(await readFile(join(repo, source), "utf8"), source));
  return examples;
}

/**
 * The scratch project's driver of the compiled examples (plain JavaScript: it is no example itself). It runs the
 * quickstart and the retried create, imports the install example (which runs on import and prints), and drives the
 * express example over HTTP with a cookie; the last line it prints is the JSON of what each answered.
 */
export const scratchRunner = `
import { once } from "node:events";
import { createSessionClient } from "@redisession/client";

const target = process.env.REDISESSION_TARGET;
const results = {};
results.quickstart = await (await import("./dist/quickstart.js")).quickstart(target);

const client = createSessionClient(target);
results.logIn = (await (await import("./dist/retry-create.js")).logIn(client, { userId: 7 }))?.version;
client.close();

await import("./dist/install.js");

const { server } = await import("./dist/express.js");
if (!server.listening) await once(server, "listening");
const origin = "http://127.0.0.1:" + server.address().port;
let cookie;
async function call(method, path) {
  const response = await fetch(origin + path, { method, headers: cookie ? { cookie } : {} });
  const set = response.headers.getSetCookie()[0];
  if (set) cookie = set.split(";")[0];
  return [response.status, await response.json()];
}
results.express = [
  await call("POST", "/login/ada"),
  await call("GET", "/"),
  await call("GET", "/"),
  await call("POST", "/logout"),
  await call("GET", "/"),
];
server.closeAllConnections();
server.close();
console.log(JSON.stringify(results));
process.exit(0);
`;
