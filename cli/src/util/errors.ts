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

/** Errors the cdk8s package throws for bad input (an environment file, XR properties): the user's to fix, not bugs. */
const INPUT_ERRORS = new Set(['EnvironmentConfigError', 'EnvironmentXrError', 'XrPropsError']);

/** A message of several problems (one per line) as one line. */
export function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('; ');
}

/**
 * The CliError to report for `err` when it is the user's (a CliError, or an input error of the cdk8s package, made
 * one line); undefined for anything else (a bug: reported as an internal error with its stack).
 */
export function asUserError(err: unknown): CliError | undefined {
  if (err instanceof CliError) return err;
  if (err instanceof Error && INPUT_ERRORS.has(err.name)) return new CliError(oneLine(err.message));
  return undefined;
}
