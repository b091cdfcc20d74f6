import { ConfigError } from "../../src/config/index.js";

/** Runs `action` and returns the {@link ConfigError} it throws; fails the test if it throws nothing or another error. */
export function configErrorOf(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, but nothing was thrown");
}

/** The issues of the ConfigError `action` throws, as `path: message` lines (easy to compare and to read on failure). */
export function issueLines(action: () => unknown): string[] {
  return configErrorOf(action).issues.map((issue) => `${issue.path}: ${issue.message}`);
}
