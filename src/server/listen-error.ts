/** One of the server's listeners, and the settings its address comes from. */
export interface ListenerAddress {
  /** What listens, as the message says it: `gRPC`, `metrics`. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** The setting that gives its host, e.g. `server.metrics.host`. */
  readonly hostSetting: string;
  /** The setting that gives its port, e.g. `server.metrics.port`. */
  readonly portSetting: string;
}

/** What went wrong, and which of the address's two settings can fix it. */
interface Diagnosis {
  readonly reason: string;
  readonly fix: "host" | "port" | "both";
}

/** Node's `listen` and `getaddrinfo` error codes, in words, with the setting to change. */
function diagnose(code: string | undefined, port: number): Diagnosis {
  switch (code) {
    case "EADDRINUSE":
      return { reason: "the port is already in use (another redisession, or another program)", fix: "port" };
    case "EACCES":
      return {
        reason:
          port > 0 && port < 1024
            ? "permission denied (ports below 1024 need privileges)"
            : "permission denied",
        fix: "port",
      };
    case "EADDRNOTAVAIL":
      return { reason: "no network interface of this machine has that address", fix: "host" };
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
    case "EAI_FAIL":
      return { reason: "the host name does not resolve", fix: "host" };
    default:
      return { reason: code ?? "unknown error", fix: "both" };
  }
}

/** `host:port`, with an IPv6 address in brackets: `[::1]:50051`. */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A listener of the server could not be bound: its port is taken or forbidden, or its host does not resolve or is
 * not this machine's. Thrown by `startServer` after everything it had started is stopped again; its message is one
 * line naming the address and the setting to change:
 *
 * ```text
 * cannot listen for metrics on 0.0.0.0:9464 (server.metrics.port): the port is already in use (...)
 * ```
 */
export class ListenError extends Error {
  override readonly name = "ListenError";
  /** What could not listen: `gRPC`, `metrics`. */
  readonly listener: string;
  /** The address asked for, `host:port`. */
  readonly address: string;
  /** The settings that can fix it: the port's, the host's, or both when the cause is not known. */
  readonly settings: readonly string[];
  /** Why, in words. */
  readonly reason: string;
  /** What the operating system said, e.g. `EADDRINUSE`, when it said it with a code. */
  readonly code: string | undefined;

  constructor(
    listener: ListenerAddress,
    code: string | undefined,
    options: { cause?: unknown; reason?: string } = {},
  ) {
    const diagnosis = diagnose(code, listener.port);
    const settings =
      diagnosis.fix === "host"
        ? [listener.hostSetting]
        : diagnosis.fix === "port"
          ? [listener.portSetting]
          : [listener.hostSetting, listener.portSetting];
    const parts = {
      listener: listener.name,
      address: formatAddress(listener.host, listener.port),
      settings,
      reason: options.reason ?? diagnosis.reason,
    };
    super(describeListenFailure(parts), { cause: options.cause });
    this.listener = parts.listener;
    this.address = parts.address;
    this.settings = settings;
    this.reason = parts.reason;
    this.code = code;
  }
}

/**
 * A {@link ListenError}'s one line, each setting followed by the other names it goes by (a command-line flag):
 * `cannot listen for gRPC on 0.0.0.0:50051 (server.port or --port): the port is already in use (...)`.
 */
export function describeListenFailure(
  failure: Pick<ListenError, "listener" | "address" | "settings" | "reason">,
  aliases: Readonly<Record<string, string>> = {},
): string {
  const settings = failure.settings.map((setting) =>
    Object.hasOwn(aliases, setting) ? `${setting} or ${aliases[setting]}` : setting,
  );
  return `cannot listen for ${failure.listener} on ${failure.address} (${settings.join(", ")}): ${failure.reason}`;
}

/** The system error code of a failed `listen` (`EADDRINUSE`), or of the host name's lookup (`ENOTFOUND`). */
export function systemErrorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}
