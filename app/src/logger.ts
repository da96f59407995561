import pino from 'pino';
import type { Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

/** Name in every log line, so logs from several services can be told apart. */
export const SERVICE_NAME = 'metrics-app';

/**
 * Structured JSON logs on stdout (one object per line, level as a label, ISO time).
 * Writes are synchronous: the app logs little (errors are rate-limited) and a forced exit must not lose the last lines.
 */
export function createLogger(
  level: LogLevel,
  destination: pino.DestinationStream = pino.destination({ sync: true }),
): Logger {
  return pino(
    {
      level,
      base: { service: SERVICE_NAME, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
