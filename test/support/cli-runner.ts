import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What one run of the CLI did. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `redisession <args>` from the sources, as a user would run the command, with `env` added. */
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

/** Writes `content` to a fresh temporary file named `name` (its extension picks YAML or JSON) and returns its path. */
export function writeConfigFile(content: string, name = "config.yaml"): string {
  const file = join(mkdtempSync(join(tmpdir(), "redisession-config-")), name);
  writeFileSync(file, content);
  return file;
}
