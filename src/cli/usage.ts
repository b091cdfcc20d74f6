/** The commands of `redisession`, in the order the general usage lists them. */
export const COMMAND_NAMES = ["serve", "cleanup", "stats", "train-dictionary"] as const;

/** One of {@link COMMAND_NAMES}. */
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Whether `name` is one of the commands. */
export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

interface CommandHelp {
  /** The command line, after `redisession `. */
  readonly synopsis: string;
  /** What it does, for the general usage's list of commands (continuation lines indented to its column). */
  readonly summary: string;
  /** What `redisession <command> --help` prints between the synopsis and the footer. */
  readonly details: string;
}

const CONFIG_OPTION =
  "  --config FILE   YAML or JSON configuration (default: $REDISESSION_CONFIG, else built-in defaults)";
const HELP_OPTION = "  -h, --help      show this help and exit";

const HELP: Readonly<Record<CommandName, CommandHelp>> = {
  serve: {
    synopsis: "serve [--config FILE] [--port N] [--host ADDRESS] [--metrics-port N|off]",
    summary: "run the gRPC session service",
    details: `Runs the gRPC session service, and its Prometheus metrics over HTTP (GET /metrics). With nothing configured
(no --config, REDISESSION_CONFIG or REDIS_URL) it uses the Redis at 127.0.0.1:6379, or starts a private
redis-server that keeps nothing on disk when none answers there. It says "redisession listening" once every
listener is bound; a port that cannot be bound ends it at once, with one line naming the setting.

Options:
${CONFIG_OPTION}
  --port N        port to listen on, 0 for any free one (default: the configuration's server.port, 50051)
  --host ADDRESS  address to listen on (default: the configuration's server.host, 0.0.0.0)
  --metrics-port N|off
                  port of the metrics endpoint, 0 for any free one (logged), off for no endpoint (default: the
                  configuration's server.metrics.port, 9464, on server.metrics.host)
${HELP_OPTION}`,
  },
  cleanup: {
    synopsis: "cleanup [--config FILE] [--store NAME | --all]",
    summary: `remove expired sessions from hash stores now: one full sweep of every bucket, with a progress
bar on a terminal, then one summary line per store (string stores have nothing to sweep)`,
    details: `Removes expired sessions from hash stores now: one full sweep of every bucket, with progress on stderr (a bar on
a terminal), then one summary line per store on stdout. String stores have nothing to sweep: Redis expires their
keys itself. Needs Redis, not a running server; waits up to 3 s for Redis.

Options:
${CONFIG_OPTION}
  --store NAME    the store to sweep (default: the default store)
  --all           sweep every store
${HELP_OPTION}`,
  },
  stats: {
    synopsis: "stats [--config FILE] [--store NAME] [--json]",
    summary: `show each store's sessions, bucket fill, encodings, record sizes and listpack limits, with
advice`,
    details: `Shows each store's sessions, bucket fill, encodings, record sizes, memory and listpack limits, with advice. Needs
Redis, not a running server; waits up to 3 s for Redis.

Options:
${CONFIG_OPTION}
  --store NAME    only this store (default: every configured store)
  --json          print the raw statistics as one JSON object keyed by store name
${HELP_OPTION}`,
  },
  "train-dictionary": {
    synopsis: "train-dictionary [--config FILE] [--store NAME] [--samples N] [--size BYTES] --out FILE",
    summary: `train a zstd dictionary on a sample of a store's live sessions (needs the zstd tool), for
the store's zstdDictionaries and codec zstd-dict; reports how it does on held-out sessions`,
    details: `Trains a zstd dictionary on a sample of a store's live sessions with \`zstd --train\` (install the zstd tool),
for the store's zstdDictionaries and codec zstd-dict. One session in ten is held out of training and the
dictionary is measured on those, against plain zstd. Needs Redis, not a running server; waits up to 3 s for Redis.

Options:
${CONFIG_OPTION}
  --store NAME    the store to sample (default: the default store)
  --samples N     sessions to sample, 10 to 100000 (default 2000)
  --size BYTES    largest dictionary, 256 to 1048576 bytes (default 16384)
  --out FILE      where to write the dictionary (mode 0600); must not exist yet
${HELP_OPTION}`,
  },
};

const FOOTER = `Exit status: 0 on success, 1 on failure (bad configuration, Redis unreachable, a port that cannot be bound),
2 on a usage error.
Environment: REDIS_URL overrides the default Redis connection; REDISESSION_CONFIG names the configuration file;
LOG_LEVEL sets the log level (default info).`;

/** Continuation lines of a summary, indented under its first line's column. */
const indent = (text: string, column: number) => text.replaceAll("\n", `\n${" ".repeat(column)}`);

/** What `redisession <name> --help` prints. */
export function commandUsage(name: CommandName): string {
  const help = HELP[name];
  return `usage: redisession ${help.synopsis}\n\n${help.details}\n\n${FOOTER}`;
}

/** What `redisession --help` prints: every command's synopsis and what it does. */
export function generalUsage(): string {
  const synopses = COMMAND_NAMES.map(
    (name, i) => `${i === 0 ? "usage: " : "       "}redisession ${HELP[name].synopsis}`,
  );
  const width = Math.max(...COMMAND_NAMES.map((name) => name.length)) + 2;
  const commands = COMMAND_NAMES.map(
    (name) => `  ${name.padEnd(width)}${indent(HELP[name].summary, width + 2)}`,
  );
  return [
    synopses.join("\n"),
    `Commands:\n${commands.join("\n")}`,
    'Run "redisession COMMAND --help" (or "redisession help COMMAND") for a command\'s options.',
    FOOTER,
  ].join("\n\n");
}
