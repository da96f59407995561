export interface ProgressProps {
  /** Receives each line (no newline). @default no output */
  readonly write?: (line: string) => void;
  /** How often a running step reports itself again. @default 2000 */
  readonly intervalMs?: number;
}

/**
 * Progress of a long step as lines, for a terminal or a CI log alike: one when the step starts, then one every
 * `intervalMs` while it runs (so a silent wait shows as such), each from `describe()`.
 */
export class Progress {
  private readonly write: (line: string) => void;
  private readonly intervalMs: number;

  constructor(props: ProgressProps = {}) {
    this.write = props.write ?? (() => undefined);
    this.intervalMs = props.intervalMs ?? 2000;
  }

  /** Reports `describe()` now and every interval until the returned function is called. */
  step(describe: () => string): () => void {
    this.write(describe());
    const timer = setInterval(() => this.write(describe()), this.intervalMs);
    timer.unref(); // never what keeps the process alive
    return () => clearInterval(timer);
  }

  line(text: string): void {
    this.write(text);
  }
}

/** `12 s` for an elapsed time since `since`. */
export function secondsSince(since: number): string {
  return `${Math.floor((Date.now() - since) / 1000)} s`;
}
