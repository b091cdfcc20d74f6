import { type GrantedStores, type Scope, scopes, type TokenGrant } from "./scopes.js";

/**
 * The token table: which tokens may call, and what each may do. Its text is the content of `server.auth.tokenFile`
 * or of the variable `server.auth.tokenEnv` names. One entry per token, three fields separated by spaces or tabs:
 *
 * ```text
 * # sha256 of the token (64 hex digits)                            scopes       stores
 * 7362061dd1c6bf2b9019f57f8a64f43a15ceaa590ca21d91b221afd5002fc537 read,write   default,carts
 * fbb0f48c6158051e88b94ccc8369b6864561b782f8ca38b02fa383d4c10f7479 admin        *
 * ```
 *
 * - the hash: SHA-256 of the token's UTF-8 bytes, as 64 hex digits (either case): `printf %s "$TOKEN" | sha256sum`;
 * - scopes: comma-separated, from `read`, `write`, `admin` (see `scopes.ts` for what each allows);
 * - stores: comma-separated store names, each configured under `stores`, or `*` for every store.
 *
 * Entries are separated by newlines or `;` (so that one environment variable can hold several). `#` starts a
 * comment that runs to the end of the line; blank entries are skipped. The same hash may not appear twice.
 */

/** What parsing found: the grants, and a message for every unusable entry (empty when all are good). */
export interface TokenTable {
  readonly grants: readonly TokenGrant[];
  readonly problems: readonly string[];
}

const HASH = /^[0-9a-fA-F]{64}$/;

/**
 * Parses a token table. Messages name the entry by line (and by position on the line when `;` put several there)
 * and never repeat a hash field, which might be a token pasted by mistake.
 *
 * @param storeNames - the configured stores: an entry naming another is a typo that would silently grant nothing.
 */
export function parseTokenTable(text: string, storeNames: readonly string[]): TokenTable {
  const grants: TokenGrant[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const known = new Set(storeNames);
  for (const [lineIndex, line] of text.split(/\r?\n/).entries()) {
    const entries = line.replace(/#.*/, "").split(";");
    for (const [entryIndex, entry] of entries.entries()) {
      const fields = entry
        .trim()
        .split(/[ \t]+/)
        .filter(Boolean);
      if (fields.length === 0) continue;
      const where =
        entries.length > 1 ? `line ${lineIndex + 1}, entry ${entryIndex + 1}` : `line ${lineIndex + 1}`;
      const entryProblems: string[] = [];
      const grant = parseEntry(fields, known, (message) => entryProblems.push(`${where}: ${message}`));
      if (grant !== undefined) {
        const hex = grant.hash.toString("hex");
        const earlier = seen.get(hex);
        if (earlier === undefined) seen.set(hex, where);
        else entryProblems.push(`${where}: lists the same token as ${earlier}`);
      }
      if (grant !== undefined && entryProblems.length === 0) grants.push(grant);
      problems.push(...entryProblems);
    }
  }
  if (grants.length === 0 && problems.length === 0) {
    problems.push("lists no tokens: every call but health checks would be refused");
  }
  return { grants, problems };
}

/** One entry's grant, or undefined after reporting what is wrong with it. */
function parseEntry(
  fields: readonly string[],
  known: ReadonlySet<string>,
  problem: (message: string) => void,
): TokenGrant | undefined {
  const [hash = "", scopeList = "", storeList = ""] = fields;
  if (!HASH.test(hash)) {
    problem(
      "must start with the token's SHA-256 hash as 64 hex digits (printf %s TOKEN | sha256sum); never list the token itself",
    );
    return undefined;
  }
  if (fields.length !== 3) {
    problem(`must have 3 fields (hash, scopes, stores), has ${fields.length}`);
    return undefined;
  }
  const parsedScopes = parseScopes(scopeList, problem);
  const parsedStores = parseStores(storeList, known, problem);
  if (parsedScopes === undefined || parsedStores === undefined) return undefined;
  return { hash: Buffer.from(hash, "hex"), scopes: parsedScopes, stores: parsedStores };
}

function parseScopes(list: string, problem: (message: string) => void): ReadonlySet<Scope> | undefined {
  const names = list.split(",");
  const unknown = names.filter((name) => !(scopes as readonly string[]).includes(name));
  if (unknown.length > 0) {
    problem(
      `unknown scope ${unknown.map((name) => `"${name}"`).join(", ")}; scopes are ${scopes.join(", ")}`,
    );
    return undefined;
  }
  return new Set(names as Scope[]);
}

function parseStores(
  list: string,
  known: ReadonlySet<string>,
  problem: (message: string) => void,
): GrantedStores | undefined {
  if (list === "*") return "*";
  const names = list.split(",");
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const listed = unknown.map((name) => `"${name}"`).join(", ");
    problem(`names ${listed}, not a configured store (configured: ${[...known].join(", ")}; * means all)`);
    return undefined;
  }
  return new Set(names);
}
