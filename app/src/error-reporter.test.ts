import { ErrorReporter } from './error-reporter';
import { captureLogger } from './testing/capture-logger';

function errno(code: string): Error {
  return Object.assign(new Error(`getaddrinfo ${code} graphite`), { code });
}

describe('ErrorReporter', () => {
  it('counts every error by code but logs at most one line per window, with the suppressed count', () => {
    const { logger, lines } = captureLogger();
    let now = 0;
    const reporter = new ErrorReporter({ logger, logWindowMs: 1000, now: () => now });
    reporter.report(errno('ENOTFOUND'));
    for (let i = 0; i < 99; i++) {
      now += 5;
      reporter.report(errno(i % 2 === 0 ? 'EAI_AGAIN' : 'ENOTFOUND'));
    }
    expect(lines).toHaveLength(1);
    now = 1000;
    reporter.report(new Error('no code'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'warn', err: { code: 'ENOTFOUND' }, suppressedSinceLastLog: 0 });
    expect(lines[1]).toMatchObject({ err: { code: 'Error' }, suppressedSinceLastLog: 99, errorsTotal: 101 });
    expect(reporter.total).toBe(101);
    expect(reporter.byCode()).toEqual({ ENOTFOUND: 50, EAI_AGAIN: 50, Error: 1 });
  });

  it('is usable as a detached callback (hot-shots calls errorHandler without a receiver)', () => {
    const { logger } = captureLogger();
    const { report } = new ErrorReporter({ logger });
    expect(() => report(errno('ECONNREFUSED'))).not.toThrow();
  });
});
