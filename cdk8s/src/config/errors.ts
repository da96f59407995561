/** Thrown when an environment file is missing or invalid; the message names file, field, value and expectation. */
export class EnvironmentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentConfigError';
  }
}
