// A statsd 0.9 server module (statsd `servers: [{ server: '<this file>' }]`): its built-in UDP server has no
// receive-buffer option, and at tens of thousands of metrics a second the kernel's default buffer overflows while
// statsd is busy flushing. Options are statsd's (`port`, `address`) plus `recvBufferSize` in bytes.
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';

interface ServerConfig {
  readonly port?: number;
  readonly address?: string;
  readonly recvBufferSize?: number;
}

let socket: Socket | undefined;

export function start(config: ServerConfig, onPacket: (msg: Buffer, rinfo: RemoteInfo) => void): boolean {
  socket = createSocket({ type: 'udp4', recvBufferSize: config.recvBufferSize }, onPacket);
  socket.bind(config.port ?? 8125, config.address);
  return true;
}
