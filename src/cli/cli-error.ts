/** Exit statuses of the command-line interface. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * A failure the command-line interface reports as one line on stderr, exiting with `exitCode`: 1 when the work
 * failed (Redis unreachable or failing), 2 when the command line was wrong.
 */
export class CliError extends Error {
  override readonly name = "CliError";

  constructor(
    message: string,
    readonly exitCode: typeof EXIT_FAILURE | typeof EXIT_USAGE,
  ) {
    super(message);
  }
}

/** `message` with any `scheme://user:password@` credentials removed, for text that may quote a URL. */
export function withoutCredentials(message: string): string {
  return message.replace(/\/\/[^/@\s]*@/g, "//");
}
