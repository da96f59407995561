import type { Logger } from './logger';

export interface ErrorReporterProps {
  readonly logger: Logger;
  /**
   * At most one log line per window; errors in between are only counted, and the next line says how many.
   * @default 10000
   */
  readonly logWindowMs?: number;
  /** Clock, replaceable in tests. @default Date.now */
  readonly now?: () => number;
}

/**
 * The statsd client's `errorHandler`: counts every error by code and logs them rate-limited, so an unreachable
 * backend (thousands of failed sends a second under load) neither crashes the process nor floods the logs.
 */
export class ErrorReporter {
  private readonly logger: Logger;
  private readonly logWindowMs: number;
  private readonly now: () => number;
  private readonly counts = new Map<string, number>();
  private totalCount = 0;
  private suppressed = 0;
  private lastLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(props: ErrorReporterProps) {
    this.logger = props.logger;
    this.logWindowMs = props.logWindowMs ?? 10_000;
    this.now = props.now ?? Date.now;
  }

  /** Bound so it can be handed to hot-shots as `errorHandler` directly. */
  readonly report = (error: Error): void => {
    const code = errorCode(error);
    this.totalCount++;
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    const now = this.now();
    if (now - this.lastLoggedAt < this.logWindowMs) {
      this.suppressed++;
      return;
    }
    this.logger.warn(
      { err: { code, message: error.message }, suppressedSinceLastLog: this.suppressed, errorsTotal: this.totalCount },
      'statsd client error (further errors are logged at most once per %d ms)',
      this.logWindowMs,
    );
    this.lastLoggedAt = now;
    this.suppressed = 0;
  };

  get total(): number {
    return this.totalCount;
  }

  /** Error counts keyed by `error.code` (e.g. ENOTFOUND, ECONNREFUSED), or the error name when it has none. */
  byCode(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

function errorCode(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code !== '' ? code : error.name || 'Error';
}
