/** Lua scripts as the Redis link runs them: the source with its SHA1, so that EVALSHA needs no SCRIPT LOAD. */

import { createHash } from "node:crypto";

/**
 * A Lua script run with EVALSHA. Its SHA1 is computed here, once, so the first call needs no SCRIPT LOAD; a
 * server that does not know the script yet (restart, failover, SCRIPT FLUSH) answers NOSCRIPT and the call is
 * repeated once with EVAL, which also caches it there.
 */
export class LuaScript {
  /** SHA1 of {@link LuaScript.source}, as Redis names cached scripts. */
  readonly sha1: string;

  constructor(
    /** What the script is for, for logs and errors. */
    readonly name: string,
    /** The Lua source. */
    readonly source: string,
  ) {
    this.sha1 = createHash("sha1").update(source).digest("hex");
  }
}
