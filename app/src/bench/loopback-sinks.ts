import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/** Counts datagrams and statsd lines received on a loopback UDP port, to check every emitted metric was sent. */
export class CountingUdpSink {
  datagrams = 0;
  lines = 0;
  private readonly socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });

  private constructor() {
    this.socket.on('message', (msg) => {
      this.datagrams++;
      let lines = 1;
      for (let i = msg.indexOf(10); i !== -1; i = msg.indexOf(10, i + 1)) lines++;
      this.lines += lines;
    });
  }

  static async start(): Promise<CountingUdpSink> {
    const sink = new CountingUdpSink();
    await new Promise<void>((resolve) => sink.socket.bind(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return this.socket.address().port;
  }

  reset(): void {
    this.datagrams = 0;
    this.lines = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/**
 * Stands in for carbon's plaintext receiver behind statsd: sums, per metric name, the values statsd's graphite
 * backend flushes (`name value timestamp` lines). Summing a timer's `.count` over flushes gives how many of its
 * metrics statsd received.
 */
export class CarbonLineTotals {
  private readonly totals = new Map<string, number>();
  private readonly connections = new Set<Socket>();
  private readonly server = createServer((conn) => {
    this.connections.add(conn);
    let rest = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const [name, value] = line.split(' ');
        if (name !== undefined && value !== undefined)
          this.totals.set(name, (this.totals.get(name) ?? 0) + Number(value));
      }
    });
    conn.on('close', () => this.connections.delete(conn));
    conn.on('error', () => conn.destroy());
  });

  static async start(): Promise<CarbonLineTotals> {
    const sink = new CarbonLineTotals();
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  total(metric: string): number {
    return this.totals.get(metric) ?? 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const conn of this.connections) conn.destroy();
      this.server.close(() => resolve());
    });
  }
}
