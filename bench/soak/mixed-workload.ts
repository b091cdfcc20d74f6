/**
 * The soak's traffic: what a web tier sends a session service, through the shipped client. Most calls read a
 * session (some sliding its expiry), fewer write one (some with compare-and-set), and sessions are created,
 * rotated and deleted all along, so keys come and go and the store's population turns over.
 */
import { randomBytes } from "node:crypto";
import type { JsonObject } from "@bufbuild/protobuf";
import {
  Code,
  SaveCondition,
  type SessionClient,
  SessionServiceError,
  sessionData,
} from "../../src/client/index.js";

/**
 * Codes a correct service answers under this traffic: a key read or written just after another call deleted or
 * rotated it (NOT_FOUND), a compare-and-set that lost to another writer (ABORTED). Anything else is a failure.
 */
export const EXPECTED_CODES: ReadonlySet<Code> = new Set([Code.OK, Code.NOT_FOUND, Code.ABORTED]);

/** One kind of call and its share of the traffic (shares add up to 100). */
interface Operation {
  readonly name: string;
  readonly share: number;
  run(client: SessionClient, pool: KeyPool): Promise<void>;
}

/** A session like a web shop's: user, CSRF token, flash message, cart, preferences (~200 bytes of JSON). */
function shopSession(): JsonObject {
  return {
    uid: `u_${randomBytes(4).toString("hex")}`,
    csrf: randomBytes(24).toString("base64url"),
    flash: { type: "ok", text: "Address saved." },
    cart: [
      { sku: "BK-1042", qty: 1 },
      { sku: "TS-2210", qty: Math.floor(Math.random() * 5) + 1 },
    ],
    prefs: { theme: "dark", lang: "en-GB" },
  };
}

/** The live keys the traffic uses, replaced as sessions are rotated and deleted. */
export class KeyPool {
  private readonly keys: string[] = [];

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.keys.length;
  }

  add(key: string): void {
    if (this.keys.length < this.capacity) this.keys.push(key);
    else this.keys[Math.floor(Math.random() * this.capacity)] = key;
  }

  pick(): string {
    return this.keys[Math.floor(Math.random() * this.keys.length)] ?? "";
  }

  replace(old: string, fresh: string | undefined): void {
    const index = this.keys.indexOf(old);
    if (index < 0) return;
    if (fresh === undefined) this.keys.splice(index, 1);
    else this.keys[index] = fresh;
  }
}

const TTL = { seconds: 3600n };

const OPERATIONS: readonly Operation[] = [
  { name: "get", share: 50, run: async (c, p) => void (await c.getSession({ key: p.pick() })) },
  {
    name: "get+touch",
    share: 10,
    run: async (c, p) => void (await c.getSession({ key: p.pick(), touch: true })),
  },
  {
    name: "save",
    share: 15,
    // MUST_EXIST: a session deleted or rotated meanwhile stays gone (NOT_FOUND), as a web tier's save should.
    run: async (c, p) =>
      void (await c.saveSession({
        key: p.pick(),
        content: { case: "data", value: shopSession() },
        condition: SaveCondition.MUST_EXIST,
      })),
  },
  {
    name: "save-if-version",
    share: 5,
    async run(client, pool) {
      const key = pool.pick();
      const { session } = await client.getSession({ key });
      await client.saveSession({
        key,
        content: { case: "data", value: { ...sessionData(session), seen: Date.now() } },
        condition: SaveCondition.EXPECTED_VERSION,
        expectedVersion: session?.version ?? 0,
      });
    },
  },
  {
    name: "create",
    share: 8,
    async run(client, pool) {
      const { session } = await client.createSession({
        content: { case: "data", value: shopSession() },
        idleTtl: TTL,
      });
      if (session !== undefined) pool.add(session.key);
    },
  },
  {
    name: "batch-get-20",
    share: 4,
    run: async (c, p) =>
      void (await c.batchGetSessions({ keys: Array.from({ length: 20 }, () => p.pick()) })),
  },
  {
    name: "touch",
    share: 4,
    run: async (c, p) => void (await c.touchSession({ key: p.pick(), idleTtl: TTL })),
  },
  {
    name: "rotate",
    share: 2,
    async run(client, pool) {
      const key = pool.pick();
      const { session } = await client.rotateSessionKey({ key });
      pool.replace(key, session?.key);
    },
  },
  {
    name: "delete",
    share: 2,
    async run(client, pool) {
      const key = pool.pick();
      pool.replace(key, undefined);
      await client.deleteSession({ key });
    },
  },
];

/** Calls answered per gRPC status code name, and per operation. */
export class CodeTally {
  readonly byCode = new Map<string, number>();
  readonly byOperation = new Map<string, number>();
  /** The first unexpected answer of each code: which operation got it, and its details. */
  readonly firstUnexpected = new Map<string, string>();
  unexpected = 0;

  count(operation: string, code: Code, details = ""): void {
    const name = Code[code] ?? String(code);
    this.byCode.set(name, (this.byCode.get(name) ?? 0) + 1);
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
    if (EXPECTED_CODES.has(code)) return;
    this.unexpected++;
    if (!this.firstUnexpected.has(name)) this.firstUnexpected.set(name, `${operation}: ${details}`);
  }
}

/** Picks an operation by share, runs it and tallies its status; rejects only for an unexpected code. */
export function mixedCall(client: SessionClient, pool: KeyPool, tally: CodeTally): () => Promise<void> {
  // Cumulative shares: an operation is chosen where a uniform roll falls among them.
  let sum = 0;
  const upTo = OPERATIONS.map((op) => (sum += op.share));
  return async () => {
    const roll = Math.random() * sum;
    const operation = OPERATIONS[upTo.findIndex((limit) => roll < limit)] ?? (OPERATIONS[0] as Operation);
    try {
      await operation.run(client, pool);
      tally.count(operation.name, Code.OK);
    } catch (error) {
      if (!(error instanceof SessionServiceError)) throw error;
      tally.count(operation.name, error.code, error.details);
      if (!EXPECTED_CODES.has(error.code)) throw error;
    }
  };
}
