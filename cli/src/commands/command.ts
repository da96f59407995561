/** One `platform <name>` sub-command. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  /** One line for `platform --help`. */
  readonly summary: string;
  /** Full usage text for `platform <name> --help`. */
  readonly usage: string;
  run(args: readonly string[]): Promise<number>;
}
