/**
 * A TCP relay between the service and a real Redis that lets a test act between two of the service's commands:
 * the exact interleaving a race needs, made deterministic. Every command the service sends (a RESP array of bulk
 * strings, which is all node-redis sends) is parsed; when `before(command)` returns a promise, that command, and
 * everything after it on the same connection, waits until the promise settles. Replies are relayed untouched.
 * Nothing is mocked: every command reaches Redis, and what the test does meanwhile it does to Redis too (on a
 * connection of its own, not through the relay, whose held connection would otherwise wait for itself).
 */
import { startTcpRelay } from "./tcp-relay.js";

/** Decides, per command, whether the test acts before Redis sees it. */
export type BeforeCommand = (command: readonly Buffer[]) => Promise<void> | undefined;

/** Told of each command as soon as it arrives from the service, even while a hook holds earlier ones. */
export type CommandObserver = (command: readonly Buffer[]) => void;

/** A running relay. */
export interface RedisInterposer {
  /** `redis://127.0.0.1:<port>`: where the service should connect. */
  readonly url: string;
  /** Replaces the hook (undefined: relay everything at once). */
  setHook(hook: BeforeCommand | undefined): void;
  /**
   * Replaces the observer (undefined: none). Unlike the hook, which sees a command only once the ones before it
   * were relayed, the observer sees every command on arrival: a test can count what the service has sent.
   */
  setObserver(observer: CommandObserver | undefined): void;
  /** Stops listening and closes every relayed connection. */
  close(): Promise<void>;
}

/** Starts a relay to the Redis on 127.0.0.1:`redisPort`. */
export async function startInterposer(redisPort: number): Promise<RedisInterposer> {
  let hook: BeforeCommand | undefined;
  let observer: CommandObserver | undefined;
  const relay = await startTcpRelay(redisPort, (client, upstream) => {
    upstream.pipe(client);
    const parser = new CommandParser();
    // One chain per connection: commands reach Redis in the order they were sent, each after its hook settled.
    let relayed: Promise<void> = Promise.resolve();
    client.on("data", (chunk: Buffer) => {
      for (const { bytes, args } of parser.push(chunk)) {
        observer?.(args);
        relayed = relayed.then(async () => {
          await hook?.(args);
          upstream.write(bytes);
        });
      }
    });
    client.on("end", () => upstream.end());
  });
  return {
    url: `redis://127.0.0.1:${relay.port}`,
    setHook(next) {
      hook = next;
    },
    setObserver(next) {
      observer = next;
    },
    close: () => relay.close(),
  };
}

/** Splits a byte stream into whole RESP commands (`*<n>\r\n` then n times `$<len>\r\n<bytes>\r\n`). */
class CommandParser {
  private pending = Buffer.alloc(0);

  /** The commands completed by `chunk`, each with its raw bytes and its arguments. */
  push(chunk: Buffer): { bytes: Buffer; args: Buffer[] }[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const commands: { bytes: Buffer; args: Buffer[] }[] = [];
    for (;;) {
      const parsed = this.parseOne();
      if (parsed === undefined) break;
      commands.push(parsed);
    }
    return commands;
  }

  private parseOne(): { bytes: Buffer; args: Buffer[] } | undefined {
    const buffer = this.pending;
    const header = this.line(buffer, 0);
    if (header === undefined) return undefined;
    if (header.text[0] !== "*") throw new Error(`interposer: not a RESP array: ${header.text}`);
    const count = Number(header.text.slice(1));
    const args: Buffer[] = [];
    let offset = header.next;
    for (let i = 0; i < count; i++) {
      const length = this.line(buffer, offset);
      if (length === undefined) return undefined;
      if (length.text[0] !== "$") throw new Error(`interposer: not a bulk string: ${length.text}`);
      const size = Number(length.text.slice(1));
      const end = length.next + size;
      if (buffer.length < end + 2) return undefined;
      args.push(buffer.subarray(length.next, end));
      offset = end + 2;
    }
    const bytes = Buffer.from(buffer.subarray(0, offset));
    this.pending = buffer.subarray(offset);
    return { bytes, args: args.map((arg) => Buffer.from(arg)) };
  }

  private line(buffer: Buffer, from: number): { text: string; next: number } | undefined {
    const end = buffer.indexOf("\r\n", from);
    return end < 0 ? undefined : { text: buffer.toString("latin1", from, end), next: end + 2 };
  }
}

/** Redis stalled behind a relay: see {@link stallCommands}. */
export interface StalledRedis {
  /** Resolves once `n` of the watched commands have reached the relay (each sent by the service, then held). */
  sent(n: number): Promise<void>;
  /** Relays every held command, and every later one, at once. Harmless when called again. */
  release(): void;
}

/**
 * Holds every command the service sends through `interposer` until `release()` (to the service, Redis stops
 * answering for as long as the test wants), and counts on arrival those that `watched` picks: a test waits for
 * the service to have sent them instead of guessing how long that takes.
 */
export function stallCommands(
  interposer: RedisInterposer,
  watched: (command: readonly Buffer[]) => boolean,
): StalledRedis {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let count = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  interposer.setHook(() => held);
  interposer.setObserver((command) => {
    if (!watched(command)) return;
    count += 1;
    for (const waiter of waiters) if (count >= waiter.n) waiter.resolve();
  });
  return {
    sent: (n) =>
      new Promise<void>((resolve) => {
        if (count >= n) resolve();
        else waiters.push({ n, resolve });
      }),
    release() {
      interposer.setObserver(undefined);
      interposer.setHook(undefined);
      release();
    },
  };
}

/** Whether one of `command`'s arguments contains `bytes` (a session's raw key, a marker in its data). */
export function names(command: readonly Buffer[], bytes: Buffer | string): boolean {
  return command.some((arg) => arg.includes(bytes));
}
