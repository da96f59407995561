import type { Logger } from './logger';

export interface GracefulShutdownProps {
  /** The graceful part: stop work, flush, close. Its rejection is logged and exits 1. */
  readonly onShutdown: (signal: NodeJS.Signals) => Promise<void>;
  /** Hard deadline from the first signal; when it passes the process exits 1, whatever is still running. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** @default ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[];
  /** Replaceable in tests. @default process */
  readonly processLike?: Pick<NodeJS.Process, 'on' | 'off' | 'exit'>;
}

/** Exit code of a forced exit on a second signal: the shell convention 128 + signal number. */
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGQUIT: 3 };

/**
 * First SIGTERM/SIGINT: run `onShutdown` and exit 0 when it resolves. A second signal exits at once (128 + signal
 * number), and the deadline exits 1. The handlers are explicit, so this also works as PID 1 in a container, where
 * the kernel applies no default action to SIGTERM.
 */
export class GracefulShutdown {
  private readonly props: GracefulShutdownProps;
  private readonly proc: Pick<NodeJS.Process, 'on' | 'off' | 'exit'>;
  private readonly signals: readonly NodeJS.Signals[];
  private started = false;
  private deadline: NodeJS.Timeout | undefined;

  constructor(props: GracefulShutdownProps) {
    this.props = props;
    this.proc = props.processLike ?? process;
    this.signals = props.signals ?? ['SIGTERM', 'SIGINT'];
  }

  get inProgress(): boolean {
    return this.started;
  }

  install(): void {
    for (const signal of this.signals) this.proc.on(signal, this.onSignal);
  }

  uninstall(): void {
    for (const signal of this.signals) this.proc.off(signal, this.onSignal);
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    const { logger } = this.props;
    if (this.started) {
      const code = 128 + (SIGNAL_NUMBERS[signal] ?? 0);
      logger.warn({ signal, exitCode: code }, 'second signal during shutdown: exiting now');
      clearTimeout(this.deadline);
      this.proc.exit(code);
      return;
    }
    this.started = true;
    logger.info({ signal, timeoutMs: this.props.timeoutMs }, 'shutting down');
    this.deadline = setTimeout(() => {
      logger.error({ timeoutMs: this.props.timeoutMs }, 'shutdown deadline passed: exiting now');
      this.proc.exit(1);
    }, this.props.timeoutMs);
    this.props.onShutdown(signal).then(
      () => {
        clearTimeout(this.deadline);
        logger.info('shutdown complete');
        this.proc.exit(0);
      },
      (error: unknown) => {
        clearTimeout(this.deadline);
        logger.error({ err: error }, 'shutdown failed');
        this.proc.exit(1);
      },
    );
  };
}
