import { EventEmitter } from 'node:events';
import { GracefulShutdown } from './shutdown';
import { captureLogger } from './testing/capture-logger';

/** A stand-in for `process`: signals are emitted by the test, exit() is recorded. */
class FakeProcess extends EventEmitter {
  readonly exits: number[] = [];
  private resolveExit: (code: number) => void = () => undefined;
  readonly exitCalled = new Promise<number>((resolve) => (this.resolveExit = resolve));
  exit = ((code?: number) => {
    this.exits.push(code ?? 0);
    this.resolveExit(code ?? 0);
  }) as NodeJS.Process['exit'];
}

function setup(onShutdown: () => Promise<void>, timeoutMs = 1000) {
  const proc = new FakeProcess();
  const { logger, lines } = captureLogger();
  const shutdown = new GracefulShutdown({
    onShutdown,
    timeoutMs,
    logger,
    processLike: proc as unknown as Pick<NodeJS.Process, 'on' | 'off' | 'exit'>,
  });
  shutdown.install();
  return { proc, lines, shutdown };
}

describe('GracefulShutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s runs the graceful part once, then exits 0', async (signal) => {
    const onShutdown = jest.fn(() => new Promise<void>((resolve) => setTimeout(resolve, 20)));
    const { proc, lines, shutdown } = setup(onShutdown);
    proc.emit(signal, signal);
    expect(shutdown.inProgress).toBe(true);
    expect(await proc.exitCalled).toBe(0);
    expect(onShutdown).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => l.msg)).toEqual(['shutting down', 'shutdown complete']);
  });

  it('exits 128+n at once on a second signal', async () => {
    const { proc } = setup(() => new Promise(() => undefined), 60_000);
    proc.emit('SIGTERM', 'SIGTERM');
    proc.emit('SIGINT', 'SIGINT');
    expect(proc.exits).toEqual([130]);
    proc.removeAllListeners();
  });

  it('exits 1 when the deadline passes first', async () => {
    const { proc, lines } = setup(() => new Promise(() => undefined), 50);
    const started = Date.now();
    proc.emit('SIGTERM', 'SIGTERM');
    expect(await proc.exitCalled).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(lines.at(-1)?.msg).toBe('shutdown deadline passed: exiting now');
  });

  it('exits 1 when the graceful part fails', async () => {
    const { proc } = setup(() => Promise.reject(new Error('boom')));
    proc.emit('SIGTERM', 'SIGTERM');
    expect(await proc.exitCalled).toBe(1);
  });

  it('uninstall() removes its handlers', () => {
    const { proc, shutdown } = setup(() => Promise.resolve());
    shutdown.uninstall();
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(proc.listenerCount('SIGINT')).toBe(0);
  });
});
