import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Loopback ports for test daemons and for "nothing listens here" cases, taken OUTSIDE the kernel's ephemeral range.
 *
 * A port from `listen(0)` is an ephemeral one: once released, the kernel may hand it to any socket of the machine, to
 * another suite's `listen(0)` or as the source port of any outgoing connection. A daemon restarted "on the same port"
 * then failed with EADDRINUSE, and a "closed" port could start answering. The kernel never hands out a port outside
 * `net.ipv4.ip_local_port_range` by itself: only a socket that asks for that very port can take it.
 */

/** The kernel's ephemeral port range (`net.ipv4.ip_local_port_range`); Linux's default where it cannot be read. */
export function ephemeralPortRange(
  read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'),
): { readonly low: number; readonly high: number } {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! >= 1 && low! <= high! && high! <= 65535) {
      return { low: low!, high: high! };
    }
  } catch {
    // not Linux, or no /proc: the default
  }
  return { low: 32768, high: 60999 };
}

/** Ports this module picks from: below the ephemeral range (above the usual services), else above it. */
export function portsOutsideEphemeralRange(range = ephemeralPortRange()): {
  readonly from: number;
  readonly to: number;
} {
  const from = 10000;
  if (range.low - from >= 1000) return { from, to: range.low - 1 };
  if (65535 - range.high >= 1000) return { from: range.high + 1, to: 65535 };
  throw new Error(
    `net.ipv4.ip_local_port_range is ${range.low} ${range.high}: expected at least 1000 ports outside it for tests`,
  );
}

/** Whether `port` can be bound on 127.0.0.1 right now (then released). */
function bindable(protocol: 'tcp' | 'udp', port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === 'tcp') {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
    } else {
      const socket = createSocket('udp4');
      socket.once('error', () => {
        socket.close();
        resolve(false);
      });
      socket.bind({ port, address: '127.0.0.1', exclusive: true }, () => socket.close(() => resolve(true)));
    }
  });
}

/**
 * A 127.0.0.1 port outside the ephemeral range that nothing holds now (checked by binding it, then released): for
 * a daemon to listen on, possibly again after a restart, or to stay closed. Random, so concurrent suites rarely pick
 * the same; bounded at 200 tries.
 */
export async function unusedLoopbackPort(protocol: 'tcp' | 'udp', random: () => number = Math.random): Promise<number> {
  const { from, to } = portsOutsideEphemeralRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = from + Math.floor(random() * (to - from + 1));
    if (await bindable(protocol, port)) return port;
  }
  throw new Error(`no free ${protocol} port on 127.0.0.1 in ${from}-${to} after 200 tries`);
}
