import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { runCommandLine } from "../../src/cli/command-line.js";

/** What one run of the CLI did. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `redisession <args>` from the sources in a process of its own, as a user would run the command, with `env`
 * added. For what only the real process shows: its exit status, that it ends at all, what it prints for a failure
 * (no stack trace). Each run starts Node and compiles the sources (seconds on a loaded machine): a property of the
 * command itself is tested with {@link runCliHere}.
 */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      // A hang guard: on a loaded machine a run (a Node start that compiles the sources) takes up to 20 s (measured
      // at load average 14-20 on 2 cores).
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A stream that keeps what is written to it in `chunks`; not a terminal, as a pipe to another process is not. */
function sink(chunks: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
}

/**
 * Runs `redisession <args>` in this process, through the entry point `main.ts` calls, and resolves what
 * {@link runCli} would: the exit status `main.ts` would exit with, and stdout and stderr as written. The command
 * sees this process's environment with `env` added, both as its configuration's environment and in `process.env`
 * (for what it starts, such as `zstd`), which is put back afterwards. Test files run one test at a time, each in a
 * process of its own, so nothing else sees the change.
 */
export async function runCliHere(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const saved = Object.keys(env).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, env);
  try {
    const code = await runCommandLine(
      args,
      { ...process.env },
      { stdout: sink(stdout), stderr: sink(stderr) },
    );
    return { code, stdout: stdout.join(""), stderr: stderr.join("") };
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Writes `content` to a fresh temporary file named `name` (its extension picks YAML or JSON) and returns its path. */
export function writeConfigFile(content: string, name = "config.yaml"): string {
  const file = join(mkdtempSync(join(tmpdir(), "redisession-config-")), name);
  writeFileSync(file, content);
  return file;
}
