import { Writable } from 'node:stream';
import { createLogger } from '../logger';
import type { Logger } from '../logger';
import type { LogLine } from './app-process';

/** A real pino logger whose lines are kept, parsed, in `lines`. */
export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: createLogger('debug', stream), lines };
}
