import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { unusedLoopbackPort } from './ports';

/** A statsd stand-in on 127.0.0.1 that keeps what it receives. */
export interface Sink {
  readonly port: number;
  /** Every datagram (UDP) or every chunk read (TCP), as received. */
  readonly packets: readonly Buffer[];
  /** Every non-empty statsd line received so far. */
  lines(): string[];
  close(): Promise<void>;
}

/** UDP sink on an ephemeral loopback port. */
export async function startUdpSink(): Promise<Sink> {
  const socket: UdpSocket = createSocket('udp4');
  const packets: Buffer[] = [];
  socket.on('message', (msg) => packets.push(msg));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    packets,
    lines: () => splitLines(packets),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

export interface TcpSinkOptions {
  /** @default 0 (an ephemeral port) */
  readonly port?: number;
  /** false: accept connections but never read from them (a stuck statsd). @default true */
  readonly read?: boolean;
}

/** TCP sink on a loopback port (statsd's TCP protocol: newline-separated lines on a stream). */
export async function startTcpSink(options: TcpSinkOptions = {}): Promise<Sink & { readonly connections: number }> {
  const packets: Buffer[] = [];
  const connections = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((conn) => {
    accepted++;
    connections.add(conn);
    if (options.read === false) conn.pause();
    else conn.on('data', (chunk) => packets.push(chunk));
    conn.on('close', () => connections.delete(conn));
    conn.on('error', () => conn.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    packets,
    get connections() {
      return accepted;
    },
    lines: () => splitLines([Buffer.concat(packets)]),
    close: () =>
      new Promise((resolve) => {
        for (const conn of connections) conn.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback TCP port nobody listens on, and that no other socket is handed meanwhile (see unusedLoopbackPort). */
export function closedTcpPort(): Promise<number> {
  return unusedLoopbackPort('tcp');
}

/** A loopback UDP port nobody listens on: datagrams sent there draw ICMP port-unreachable. */
export function closedUdpPort(): Promise<number> {
  return unusedLoopbackPort('udp');
}

function splitLines(chunks: readonly Buffer[]): string[] {
  return chunks.flatMap((chunk) =>
    chunk
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== ''),
  );
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
