import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { status } from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/token-hash.js";
import { parseTokenTable } from "../../src/auth/token-table.js";
import { createSessionClient } from "../../src/client/index.js";
import { ConfigError } from "../../src/config/config-error.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { tokenEntry } from "../support/auth-calls.js";
import { failureOf } from "../support/call-helpers.js";
import { writeConfigFile } from "../support/cli-runner.js";
import { useRedis } from "../support/redis-fixture.js";
import { serverConfig, testLogger } from "../support/server-fixture.js";

useRedis();
const servers: RunningServer[] = [];
const clients: { close(): void }[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(servers.map((server) => server.shutdown(0)));
});

const newToken = () => randomBytes(32).toString("base64");
const STORES = ["default", "strings"];

async function serve(auth: Record<string, string>, env: Record<string, string> = {}) {
  const server = await startServer({ config: serverConfig({ server: { auth } }), logger: testLogger(), env });
  servers.push(server);
  return server;
}

function client(port: number, token: string) {
  const made = createSessionClient(`127.0.0.1:${port}`, { token, retry: false });
  clients.push(made);
  return made;
}

/** The ConfigError a start-up fails with. */
async function startFailure(auth: Record<string, string>, env: Record<string, string> = {}) {
  const error = await serve(auth, env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("where token hashes come from", () => {
  it("reads them from the environment variable server.auth.tokenEnv names, entries split by ;", async () => {
    const writer = newToken();
    const reader = newToken();
    const env = {
      TEST_TOKENS: `${tokenEntry(writer, "write", "default")}; ${tokenEntry(reader, "read", "*")}`,
    };
    const { port } = await serve({ tokenEnv: "TEST_TOKENS" }, env);
    const key =
      (await client(port, writer).createSession({ content: { case: "data", value: { env: true } } })).session
        ?.key ?? "";
    expect((await client(port, reader).getSession({ key })).session?.content).toEqual({
      case: "data",
      value: { env: true },
    });
    expect((await failureOf(client(port, reader).deleteSession({ key }))).code).toBe(
      status.PERMISSION_DENIED,
    );
    expect((await failureOf(client(port, newToken()).getSession({ key }))).code).toBe(status.UNAUTHENTICATED);
  });

  it("refuses to start when the variable is unset, or the file is missing", async () => {
    expect((await startFailure({ tokenEnv: "NO_SUCH_TOKENS" })).issues).toEqual([
      { path: "server.auth.tokenEnv", message: "the variable NO_SUCH_TOKENS is not set" },
    ]);
    expect((await startFailure({ tokenFile: "/nonexistent/tokens" })).issues).toEqual([
      { path: "server.auth.tokenFile", message: "cannot read /nonexistent/tokens (ENOENT)" },
    ]);
  });

  it("refuses to start on a bad entry, naming the file and line but not the entry's hash field", async () => {
    const plaintext = newToken();
    const file = writeConfigFile(
      [tokenEntry(newToken(), "read", "default"), `${plaintext} read default`].join("\n"),
      "tokens",
    );
    const error = await startFailure({ tokenFile: file });
    expect(error.issues).toEqual([
      {
        path: "server.auth.tokenFile",
        message: `${file}, line 2: must start with the token's SHA-256 hash as 64 hex digits (printf %s TOKEN | sha256sum); never list the token itself`,
      },
    ]);
    expect(error.message).not.toContain(plaintext);
  });
});

describe("the token table format", () => {
  const hashOf = (token: string) => hashToken(token).toString("hex");

  it("is SHA-256 of the token's bytes, as `printf %s TOKEN | sha256sum` prints it", () => {
    const token = newToken();
    const printed = execFileSync("sh", ["-c", 'printf %s "$TOKEN" | sha256sum'], {
      env: { ...process.env, TOKEN: token },
    }).toString();
    expect(printed.split(" ")[0]).toBe(hashOf(token));
  });

  it("reads hashes in either case, comments, blank lines, tabs, and * for every store", () => {
    const a = newToken();
    const b = newToken();
    const text = [
      "# token table",
      "",
      `${hashOf(a).toUpperCase()}\tread,admin\tdefault,strings  # the web tier`,
      `   ${hashOf(b)} write *`,
    ].join("\r\n");
    const { grants, problems } = parseTokenTable(text, STORES);
    expect(problems).toEqual([]);
    expect(
      grants.map((g) => ({ hash: g.hash.toString("hex"), scopes: [...g.scopes], stores: g.stores })),
    ).toEqual([
      { hash: hashOf(a), scopes: ["read", "admin"], stores: new Set(["default", "strings"]) },
      { hash: hashOf(b), scopes: ["write"], stores: "*" },
    ]);
  });

  it("reports every unusable entry by line (and entry, when ; puts several on a line)", () => {
    const good = hashOf(newToken());
    const text = [
      `${good} read default`,
      `${hashOf(newToken())} reed default`,
      `${hashOf(newToken())} read carts`,
      `${hashOf(newToken())} read`,
      `${good.toUpperCase()} write strings`,
      `${hashOf(newToken())} read default; not-a-hash read default`,
    ].join("\n");
    expect(parseTokenTable(text, STORES).problems).toEqual([
      'line 2: unknown scope "reed"; scopes are read, write, admin',
      'line 3: names "carts", not a configured store (configured: default, strings; * means all)',
      "line 4: must have 3 fields (hash, scopes, stores), has 2",
      "line 5: lists the same token as line 1",
      "line 6, entry 2: must start with the token's SHA-256 hash as 64 hex digits (printf %s TOKEN | sha256sum); never list the token itself",
    ]);
  });

  it("refuses a table without tokens", () => {
    expect(parseTokenTable("# nobody yet\n\n", STORES).problems).toEqual([
      "lists no tokens: every call but health checks would be refused",
    ]);
  });
});
