import { ConfigError } from "../config/config-error.js";
import type { ConfigEnv } from "../config/load-config.js";
import { describeListenFailure, ListenError } from "../server/listen-error.js";
import { cleanupCommand } from "./cleanup-command.js";
import { CliError, EXIT_FAILURE, EXIT_USAGE } from "./cli-error.js";
import { NoRedisError } from "./private-redis.js";
import { SERVE_FLAGS, serveCommand } from "./serve-command.js";
import { statsCommand } from "./stats-command.js";
import type { ProgressStream } from "./sweep-progress.js";
import { trainDictionaryCommand } from "./train-dictionary-command.js";
import { type CommandName, commandUsage, generalUsage, isCommandName } from "./usage.js";

/** Where a command writes: its results on stdout, progress and the one-line failure on stderr. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: ProgressStream;
}

const COMMANDS: Readonly<
  Record<CommandName, (args: string[], env: ConfigEnv, io: CommandIo) => Promise<void>>
> = {
  serve: (args, env) => serveCommand(args, env),
  cleanup: cleanupCommand,
  stats: statsCommand,
  "train-dictionary": trainDictionaryCommand,
};

const HELP_FLAGS = new Set(["--help", "-h"]);

/** Whether `args` ask for help: `--help` or `-h` anywhere before a `--`. */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((arg) => HELP_FLAGS.has(arg));
}

function isParseArgsError(error: unknown): error is TypeError {
  return (
    error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true
  );
}

/**
 * The one line (a usage error: the line and the command's usage) that reports `error`, and the exit status; a
 * failure nobody foresaw (a bug) keeps its stack.
 */
function report(error: unknown, command: CommandName): { text: string; code: number } {
  if (error instanceof CliError) return { text: error.message, code: error.exitCode };
  if (error instanceof ListenError)
    return { text: describeListenFailure(error, SERVE_FLAGS), code: EXIT_FAILURE };
  if (error instanceof ConfigError || error instanceof NoRedisError) {
    return { text: error.message, code: EXIT_FAILURE };
  }
  if (isParseArgsError(error))
    return { text: `${error.message}\n${commandUsage(command)}`, code: EXIT_USAGE };
  return {
    text: error instanceof Error ? (error.stack ?? error.message) : String(error),
    code: EXIT_FAILURE,
  };
}

/**
 * Runs `redisession <argv>`: a command, or the usage (`--help`, `-h`, `help [COMMAND]`, or nothing), and resolves
 * the exit status; a failure has been written to `io.stderr` as `redisession: <what went wrong>`. `serve` resolves
 * once the server listens and leaves it running.
 */
export async function runCommandLine(
  argv: readonly string[],
  env: ConfigEnv,
  io: CommandIo = process,
): Promise<number> {
  const [command, ...args] = argv;
  const usageError = (message: string) => {
    io.stderr.write(`redisession: ${message}\n${generalUsage()}\n`);
    return EXIT_USAGE;
  };
  if (command === undefined || HELP_FLAGS.has(command) || (command === "help" && args.length === 0)) {
    io.stdout.write(`${generalUsage()}\n`);
    return 0;
  }
  if (command === "help") {
    const [topic = ""] = args;
    if (args.length > 1) return usageError(`help takes one command, not ${args.length}`);
    if (!isCommandName(topic)) return usageError(`unknown command "${topic}"`);
    io.stdout.write(`${commandUsage(topic)}\n`);
    return 0;
  }
  if (!isCommandName(command)) return usageError(`unknown command "${command}"`);
  if (asksForHelp(args)) {
    io.stdout.write(`${commandUsage(command)}\n`);
    return 0;
  }
  try {
    await COMMANDS[command](args, env, io);
    return 0;
  } catch (error) {
    const { text, code } = report(error, command);
    io.stderr.write(`redisession: ${text}\n`);
    return code;
  }
}
