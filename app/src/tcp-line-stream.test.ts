// TcpLineStream against real TCP listeners on 127.0.0.1.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { TcpLineStream } from './tcp-line-stream';
import { closedTcpPort, waitFor } from './testing/sinks';

/** A listener that keeps every line it reads and can drop its connections or stop reading. */
class Listener {
  readonly lines: string[] = [];
  readonly connections = new Set<Socket>();
  private rest = '';
  private readonly server: Server;

  private constructor(read: boolean) {
    this.server = createServer((conn) => {
      this.connections.add(conn);
      conn.on('close', () => this.connections.delete(conn));
      conn.on('error', () => conn.destroy());
      if (!read) {
        conn.pause();
        return;
      }
      conn.setEncoding('utf8').on('data', (chunk: string) => this.onData(chunk));
    });
  }

  static async start(port = 0, read = true): Promise<Listener> {
    const listener = new Listener(read);
    await new Promise<void>((resolve) => listener.server.listen(port, '127.0.0.1', resolve));
    listener.port = (listener.server.address() as AddressInfo).port;
    return listener;
  }

  /** The bound port, kept after close() so a restart can take it again. */
  port = 0;

  /** Closes the listener and every connection (as a statsd that exits). */
  close(): Promise<void> {
    for (const conn of this.connections) conn.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onData(chunk: string): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    this.lines.push(...parts.filter((l) => l !== ''));
  }
}

describe('TcpLineStream', () => {
  const streams: TcpLineStream[] = [];
  const listeners: Listener[] = [];
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.abort();
    for (const listener of listeners.splice(0)) await listener.close();
  });
  const open = (port: number, extra: { maxQueuedBytes?: number } = {}) => {
    const errors: Error[] = [];
    const stream = new TcpLineStream({
      host: '127.0.0.1',
      port,
      minReconnectDelayMs: 20,
      maxReconnectDelayMs: 200,
      onError: (e) => errors.push(e),
      ...extra,
    }).start();
    streams.push(stream);
    return { stream, errors };
  };
  const listen = async (port = 0, read = true) => {
    const listener = await Listener.start(port, read);
    listeners.push(listener);
    return listener;
  };

  it('connects after statsd comes up later: refused connects are retried and the queued lines delivered', async () => {
    const port = await closedTcpPort();
    const { stream, errors } = open(port);
    stream.write('a:1|ms\n');
    await waitFor(() => stream.stats.disconnects >= 2, 'two refused connects');
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toContain('ECONNREFUSED');
    expect(stream.stats.connected).toBe(false);
    const listener = await listen(port);
    stream.write('b:2|ms\n');
    await waitFor(() => listener.lines.length === 2, 'both lines at the listener');
    expect(listener.lines).toEqual(['a:1|ms', 'b:2|ms']);
    expect(stream.stats).toMatchObject({ connected: true, connects: 1, droppedMetrics: 0, queuedBytes: 0 });
  });

  it('reconnects after statsd closes the connection (restart on the same port)', async () => {
    const first = await listen();
    const { stream } = open(first.port);
    stream.write('before:1|ms\n');
    await waitFor(() => first.lines.length === 1, 'the first line');
    await first.close();
    listeners.splice(listeners.indexOf(first), 1);
    await waitFor(() => stream.stats.disconnects >= 1, 'the disconnect to be noticed');
    const second = await listen(first.port);
    // Lines written while statsd was away wait in the queue.
    stream.write('after:2|ms\n');
    await waitFor(() => second.lines.includes('after:2|ms'), 'a line through the new connection');
    expect(stream.stats.connects).toBe(2);
  });

  it('bounds what it holds for a statsd that never reads: drops beyond maxQueuedBytes and counts them', async () => {
    const listener = await listen(0, false);
    const maxQueuedBytes = 256 * 1024;
    const { stream, errors } = open(listener.port, { maxQueuedBytes });
    await waitFor(() => stream.stats.connected, 'connected');
    const payload = `${'x.y:1|ms\n'.repeat(100)}`; // 100 lines, 900 bytes
    let accepted = 0;
    let mostQueued = 0;
    // Far more than the kernel's buffers and the queue together can hold (~45 MB).
    for (let i = 0; i < 50_000; i++) {
      if (stream.write(payload)) accepted++;
      mostQueued = Math.max(mostQueued, stream.stats.queuedBytes);
    }
    expect(mostQueued).toBeLessThanOrEqual(maxQueuedBytes);
    expect(mostQueued).toBeGreaterThan(maxQueuedBytes - payload.length);
    const { droppedMetrics, droppedBytes } = stream.stats;
    expect(droppedMetrics).toBe((50_000 - accepted) * 100);
    expect(droppedBytes).toBe((50_000 - accepted) * payload.length);
    expect(droppedMetrics).toBeGreaterThan(0);
    expect(errors.some((e) => (e as NodeJS.ErrnoException).code === 'ERR_QUEUE_FULL')).toBe(true);
  });

  it('destroy() sends what is queued, ends the connection and reports nothing lost', async () => {
    const listener = await listen();
    const { stream } = open(listener.port);
    for (let i = 0; i < 1000; i++) stream.write(`m:${i}|ms\n`);
    stream.destroy();
    expect(stream.destroyed).toBe(true);
    expect(await stream.closed).toEqual({ lostMetrics: 0, lostBytes: 0 });
    await waitFor(() => listener.lines.length === 1000, 'all 1000 lines');
    expect(stream.stats.droppedMetrics).toBe(0);
  });

  it('destroy() while statsd is away tries once more; abort() then reports what was lost', async () => {
    const port = await closedTcpPort();
    const { stream } = open(port);
    stream.write('a:1|ms\nb:2|ms\n');
    stream.write('c:3|ms\n');
    stream.destroy();
    stream.abort();
    expect(await stream.closed).toEqual({ lostMetrics: 3, lostBytes: 21 });
    expect(stream.stats.droppedMetrics).toBe(3);
    // Nothing is accepted after close.
    expect(stream.write('d:4|ms\n')).toBe(false);
  });

  it('a close with nothing queued resolves at once without connecting again', async () => {
    const { stream } = open(await closedTcpPort());
    stream.destroy();
    expect(await stream.closed).toEqual({ lostMetrics: 0, lostBytes: 0 });
  });
});
