// The CLI's own error: a message meant for the user, printed as one line.

/** An error meant for the user: printed as one line, exit code 1 (or `exitCode`). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
