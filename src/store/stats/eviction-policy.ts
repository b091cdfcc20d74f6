/**
 * What Redis' `maxmemory-policy` means for sessions. Under `noeviction` a full Redis refuses writes (a
 * `BackendFullError`) and never removes a live session; every other policy lets Redis delete keys to make room,
 * and a session deleted that way is gone without a trace: its user is logged out, nothing is logged or counted.
 */

import { BackendError, BackendUnavailableError } from "../errors.js";
import { replyErrorCode } from "../redis/redis-errors.js";
import type { RedisLink } from "../redis/redis-link.js";

/** The one policy under which Redis never deletes a session before it expires. */
export const NO_EVICTION = "noeviction";

/** The advice every eviction warning ends with. */
const ADVICE = "set maxmemory-policy noeviction on the Redis that keeps sessions";

/**
 * The server's `maxmemory_policy` as `INFO memory` reports it (CONFIG GET is often renamed or refused on managed
 * Redis; INFO is not), or null when INFO is refused (an ACL without `@dangerous`, a renamed command) or does not
 * report it.
 */
export async function readMaxmemoryPolicy(link: RedisLink): Promise<string | null> {
  let info: string;
  try {
    info = String(await link.command(["INFO", "memory"]));
  } catch (error) {
    if (error instanceof BackendError) return null;
    if (error instanceof BackendUnavailableError && replyErrorCode(error.cause) === "NOPERM") return null;
    throw error;
  }
  return /^maxmemory_policy:([^\s]+)/m.exec(info)?.[1] ?? null;
}

/** What a store is, as far as eviction is concerned (a StoreConfig is one). */
export type EvictionSubject =
  | { readonly strategy: "string" }
  | { readonly strategy: "hash"; readonly bucketBits: number };

/**
 * What `policy` means for the sessions of a store, in one sentence ending with the advice; null when the policy
 * cannot delete a live session of that store:
 * - `noeviction`: never evicts; a full Redis refuses writes.
 * - `allkeys-*`: evicts any key. A string-strategy session is one key; a hash bucket holds 1/2^bucketBits of the
 *   store's sessions, and all of them go when it is evicted.
 * - `volatile-*`: evicts only keys with a TTL. Every string-strategy session has one; hash buckets have none, so
 *   they are never evicted and a full Redis refuses their writes as under `noeviction`.
 * - anything else (a policy newer than this code): assumed to evict.
 */
export function evictionRisk(policy: string, store: EvictionSubject): string | null {
  if (!mayEvict(policy, store.strategy)) return null;
  if (policy.startsWith("volatile-")) {
    const order = policy === "volatile-ttl" ? " (those closest to expiry first)" : "";
    return (
      `maxmemory-policy ${policy} lets a full Redis evict keys with a TTL, and every session String has one: ` +
      `live sessions can vanish before they expire${order}, without a trace; ${ADVICE}`
    );
  }
  if (policy.startsWith("allkeys-")) {
    if (store.strategy === "string") {
      return (
        `maxmemory-policy ${policy} lets a full Redis evict any key: live sessions can vanish before they ` +
        `expire, without a trace; ${ADVICE}`
      );
    }
    return (
      `maxmemory-policy ${policy} lets a full Redis evict any key: each bucket evicted takes all its sessions ` +
      `(1 in ${2 ** store.bucketBits} of the store) at once, before they expire, without a trace; ${ADVICE}`
    );
  }
  return `maxmemory-policy ${policy} is not ${NO_EVICTION}: Redis may evict live sessions without a trace; ${ADVICE}`;
}

/** Whether `policy` lets a full Redis delete live sessions of a store with `strategy` (see {@link evictionRisk}). */
export function mayEvict(policy: string, strategy: EvictionSubject["strategy"]): boolean {
  if (policy === NO_EVICTION) return false;
  // Hash buckets never carry a TTL, so volatile-* policies cannot pick them.
  return !(policy.startsWith("volatile-") && strategy === "hash");
}

/** The stats advisory about eviction for a store, if any: the risk, or that the policy could not be read. */
export function evictionAdvisory(policy: string | null, store: EvictionSubject): string | null {
  if (policy === null) {
    return `cannot read maxmemory_policy (INFO memory refused): make sure the Redis that keeps sessions runs ${NO_EVICTION}`;
  }
  return evictionRisk(policy, store);
}
