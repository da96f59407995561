/**
 * An error the user can act on: printed as one line without a stack trace, exit code non-zero.
 * Messages name the field, the value that was got and what was expected.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad flags or arguments: exit code 2, like most Unix tools. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
