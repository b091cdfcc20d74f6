import { readFileSync } from "node:fs";
import { ConfigError, formatConfigPath } from "../config/config-error.js";

/**
 * Reads a file the configuration names, at start-up. A failure is a {@link ConfigError} at the setting's path
 * (e.g. `server.tls.keyFile`) that names the file and the system error code, never the file's content: these
 * files hold keys and token hashes.
 */
export function readConfiguredFile(file: string, setting: readonly PropertyKey[]): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError([{ path: formatConfigPath(setting), message: `cannot read ${file} (${code})` }], {
      cause: error,
    });
  }
}
