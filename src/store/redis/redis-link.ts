/**
 * The store's only way to Redis: commands and cached Lua scripts with binary replies, every failure a store error.
 */

import { RESP_TYPES, type RedisArgument } from "redis";
import { BackendFullError, type SessionStoreError } from "../errors.js";
import type { LuaScript } from "./lua-script.js";
import { replyErrorCode, toStoreError } from "./redis-errors.js";

/** A reply as this module asks for it: bulk strings as Buffers, integers as numbers. */
export type RedisReply = null | number | Buffer | string | RedisReply[];

/** The part of a node-redis client (or cluster) the store needs. */
export interface CommandSender {
  sendCommand(args: ReadonlyArray<RedisArgument>, options?: object): Promise<unknown>;
}

/** Bulk strings stay binary: keys, fields and records are raw bytes, never text. */
const BINARY_REPLIES = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };

/** A store's connection as the store uses it: every failure turned into a store error by `toStoreError`. */
export class RedisLink {
  constructor(
    private readonly client: CommandSender,
    /** Told of every command Redis refused for lack of memory, before the error is thrown. Must not throw. */
    private readonly onFull?: (error: BackendFullError) => void,
  ) {}

  /** Sends one command. */
  async command(args: readonly RedisArgument[]): Promise<RedisReply> {
    try {
      return (await this.client.sendCommand(args, BINARY_REPLIES)) as RedisReply;
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Runs `script` by SHA1, sending its source only when the server answers NOSCRIPT. */
  async run(
    script: LuaScript,
    keys: readonly RedisArgument[],
    args: readonly RedisArgument[],
  ): Promise<RedisReply> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return (await this.client.sendCommand(["EVALSHA", script.sha1, ...tail], BINARY_REPLIES)) as RedisReply;
    } catch (error) {
      if (replyErrorCode(error) !== "NOSCRIPT") throw this.failure(error);
    }
    return this.command(["EVAL", script.source, ...tail]);
  }

  private failure(error: unknown): SessionStoreError {
    const failure = toStoreError(error);
    if (failure instanceof BackendFullError) this.onFull?.(failure);
    return failure;
  }
}
