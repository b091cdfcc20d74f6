/**
 * Creates and rotations that carry a request id (Google's AIP-155), done in steps that a retry, a racing twin or a
 * crash cannot turn into a second session or a lost one. The repository hands every such call to it.
 */

import {
  ConcurrentModificationError,
  RequestIdReusedError,
  SessionExistsError,
  SessionNotFoundError,
} from "../errors.js";
import { formatSessionKey, newSessionKeyBytes } from "../records/session-key.js";
import type { SessionDataReader } from "../records/session-payload.js";
import { type Session, type SessionDataInput, type SessionStamp, stampOf } from "../session.js";
import type { StoreContext } from "../store-context.js";
import type { StoreStrategy } from "../strategies/store-strategy.js";
import { createDigest, RequestKind, rotateDigest } from "./request-id.js";
import type { BegunRequest, RequestMemory } from "./request-memory.js";
import type { RequestRecord } from "./request-record.js";

/** How often a create goes round when the session it made keeps vanishing before it can be answered. */
const CREATE_ROUNDS = 3;

/**
 * Creates and rotations that carry a request id (Google's AIP-155), so that a retry answers what the first attempt
 * did instead of creating a second session or losing the rotated one.
 *
 * Each is done in steps that touch one Redis key each (so it works on a Redis Cluster), and any step may be the
 * last one an attempt makes (a crash, a lost connection, a deadline):
 * 1. draw the session key, and remember the request under its id with a digest of it and that key, as pending,
 *    unless the id is remembered already (one script: the first attempt wins, every later one reads its key);
 * 2. do the work at the remembered key: a must-create save, or a move from the old key;
 * 3. mark the record done (best effort).
 * A later attempt with the same id and a different digest is refused (`RequestIdReusedError`). One that finds the
 * record done answers from it; one that finds it pending does step 2 itself, which is safe to repeat and to race:
 * a must-create save at a key succeeds once, and a move to a key succeeds once (`StoreStrategy.moveTo`), the
 * others finding the work done. So identical requests, however many and however they interleave, create one
 * session or do one rotation, and all answer the same key.
 */
export class RetrySafeWrites {
  constructor(
    private readonly context: StoreContext,
    private readonly strategy: StoreStrategy,
    private readonly memory: RequestMemory,
  ) {}

  /**
   * A create remembered under `id`: answers the session the first attempt created (its version and times as
   * first answered, even if it has changed or gone since), or creates it.
   *
   * @param mustCreate - the must-create save of the request's data at a key; validated already.
   */
  async create(
    id: Buffer,
    ttl: number | undefined,
    data: SessionDataInput,
    mustCreate: (key: Buffer) => Promise<SessionStamp>,
  ): Promise<SessionStamp> {
    const digest = createDigest(ttl, data);
    for (let round = 1; ; round++) {
      const pending = { kind: RequestKind.create, done: false, digest, key: newSessionKeyBytes() };
      const begun = await this.memory.begin(id, pending, this.context.now());
      const { record } = begun;
      this.checkSameRequest(record, pending);
      const key = formatSessionKey(record.key);
      if (record.answer !== undefined) return stampOf(key, record.answer, record.answer.idleTtl);
      try {
        return await this.finished(id, begun, await mustCreate(record.key));
      } catch (error) {
        if (!(error instanceof SessionExistsError)) throw error;
      }
      // Another attempt of this request created it first. (Or a 128-bit collision with another session: as likely
      // as guessing a key, which every session's safety already rests on.)
      const stored = await this.strategy.read(record.key, this.context.now(), this.context.lifetime);
      const stamp = stored === null ? null : this.context.stampIn(key, stored);
      if (stamp !== null) return this.finished(id, begun, stamp);
      // Gone again before it could be read (expired or deleted). The next round reads the record again: done, it
      // answers what the attempt that created the session answered; still pending, it creates it anew there.
      if (round >= CREATE_ROUNDS) throw new ConcurrentModificationError();
    }
  }

  /**
   * A rotation remembered under `id`: moves the session under `keyBytes` (validated) to the key the first attempt
   * chose, or, once it has moved, answers the session under that key as it is now.
   *
   * @throws {SessionNotFoundError} when there is no live session under either key.
   */
  async rotate<D>(id: Buffer, keyBytes: Buffer, read: SessionDataReader<D>): Promise<Session<D>> {
    const pending = {
      kind: RequestKind.rotate,
      done: false,
      digest: rotateDigest(keyBytes),
      key: this.strategy.drawKeyFor(keyBytes),
    };
    const begun = await this.memory.begin(id, pending, this.context.now());
    const { record } = begun;
    this.checkSameRequest(record, pending);
    const fresh = record.key;
    const freshKey = formatSessionKey(fresh);
    const { lifetime } = this.context;
    if (!record.done) {
      let session: Session<D> | undefined;
      // Read as in RedisSessionRepository.rotate: before the record moves, with the caller's reader.
      const moved = await this.strategy.moveTo(keyBytes, fresh, this.context.now(), lifetime, (bytes) => {
        session = this.context.decodeLive(freshKey, bytes, read);
      });
      if (moved) {
        this.context.observer.rotated?.(this.context.config.name);
        if (session === undefined) throw new Error("rotation moved a record it never checked");
        return this.finished(id, begun, session);
      }
    }
    // Moved already, by an earlier attempt or one racing this: the session as it is now. (A done rotation never
    // looks at the old key again: a session saved there since is another session.)
    const stored = await this.strategy.read(fresh, this.context.now(), lifetime);
    const session = stored === null ? null : this.context.decode(freshKey, stored, read);
    if (session === null) throw new SessionNotFoundError("no live session under this key");
    return record.done ? session : this.finished(id, begun, session);
  }

  /** Refuses a request whose id is remembered for another one (the digest names the operation too). */
  private checkSameRequest(remembered: RequestRecord, request: Pick<RequestRecord, "digest">): void {
    if (!remembered.digest.equals(request.digest)) throw new RequestIdReusedError();
  }

  /** Marks the request done (a create with what it answers), and answers `result`. */
  private async finished<R extends SessionStamp>(id: Buffer, begun: BegunRequest, result: R): Promise<R> {
    const answer =
      begun.record.kind === RequestKind.create
        ? {
            version: result.version,
            createdAt: seconds(result.createdAt),
            expiresAt: seconds(result.expiresAt) ?? 0,
            idleTtl: result.idleTtl,
          }
        : undefined;
    await this.memory.finish(id, begun.stored, { ...begun.record, done: true, answer });
    return result;
  }
}

function seconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : Math.floor(date.getTime() / 1000);
}
