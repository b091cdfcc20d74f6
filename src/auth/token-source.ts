import { ConfigError, type ConfigIssue } from "../config/config-error.js";
import type { ConfigEnv } from "../config/load-config.js";
import type { AuthConfig } from "../config/server-schema.js";
import { readConfiguredFile } from "./read-configured-file.js";
import type { TokenGrant } from "./scopes.js";
import { parseTokenTable } from "./token-table.js";

/**
 * The token grants `server.auth` points at: the table in `tokenFile`, or in the environment variable named by
 * `tokenEnv`. Read once, at start-up; the configuration file itself never holds them.
 *
 * @param env - where `tokenEnv` is looked up (the server passes `process.env`; tests pass their own).
 * @param storeNames - the configured stores, which every entry's stores must be among.
 * @throws {ConfigError} at `server.auth.tokenFile` or `server.auth.tokenEnv`, listing every unusable entry.
 */
export function loadTokenGrants(
  auth: AuthConfig,
  env: ConfigEnv,
  storeNames: readonly string[],
): readonly TokenGrant[] {
  const { path, origin, text } = readTable(auth, env);
  const { grants, problems } = parseTokenTable(text, storeNames);
  if (problems.length > 0) {
    const issues: ConfigIssue[] = problems.map((message) => ({ path, message: `${origin}, ${message}` }));
    throw new ConfigError(issues);
  }
  return grants;
}

function readTable(auth: AuthConfig, env: ConfigEnv): { path: string; origin: string; text: string } {
  if (auth.tokenFile !== undefined) {
    const text = readConfiguredFile(auth.tokenFile, ["server", "auth", "tokenFile"]).toString("utf8");
    return { path: "server.auth.tokenFile", origin: auth.tokenFile, text };
  }
  const name = auth.tokenEnv ?? "";
  const text = env[name];
  if (text === undefined || text.trim() === "") {
    throw new ConfigError([{ path: "server.auth.tokenEnv", message: `the variable ${name} is not set` }]);
  }
  return { path: "server.auth.tokenEnv", origin: `$${name}`, text };
}
