import { createServer, type Server } from 'node:net';
import { freeTcpPort, freeUdpPort } from './daemons/daemon-process';
import { ephemeralPortRange, portsOutsideEphemeralRange, unusedLoopbackPort } from './ports';
import { closedTcpPort, closedUdpPort } from './sinks';

describe('test ports', () => {
  // A port from listen(0) could be handed to any socket of the machine once released: a statsd restarted on it failed
  // with EADDRINUSE when another suite's listen(0) got it during the restart (tcp.integration.test.ts, 2026-11-30).
  it('are never ones the kernel hands out by itself (outside net.ipv4.ip_local_port_range)', async () => {
    const { low, high } = ephemeralPortRange();
    for (const pick of [freeTcpPort, freeUdpPort, closedTcpPort, closedUdpPort]) {
      const port = await pick();
      expect([pick.name, port >= low && port <= high]).toEqual([pick.name, false]);
    }
  });

  it('skip a port something holds', async () => {
    const { from, to } = portsOutsideEphemeralRange();
    const held = await unusedLoopbackPort('tcp');
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(held, '127.0.0.1', r));
    try {
      // the first draw is the held port, the second the one after it
      const draws = [(held - from) / (to - from + 1), (held + 1 - from) / (to - from + 1)];
      const port = await unusedLoopbackPort('tcp', () => draws.shift() ?? Math.random());
      expect(port).not.toBe(held);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('read the range from the kernel, with Linux default where it cannot be read', () => {
    expect(ephemeralPortRange(() => '20000\t40000\n')).toEqual({ low: 20000, high: 40000 });
    expect(ephemeralPortRange(() => 'garbage')).toEqual({ low: 32768, high: 60999 });
    expect(
      ephemeralPortRange(() => {
        throw new Error('ENOENT');
      }),
    ).toEqual({ low: 32768, high: 60999 });
  });

  it('come from below the range, else above it, else fail naming the range', () => {
    expect(portsOutsideEphemeralRange({ low: 32768, high: 60999 })).toEqual({ from: 10000, to: 32767 });
    expect(portsOutsideEphemeralRange({ low: 10500, high: 60999 })).toEqual({ from: 61000, to: 65535 });
    expect(() => portsOutsideEphemeralRange({ low: 1024, high: 65000 })).toThrow(
      'net.ipv4.ip_local_port_range is 1024 65000: expected at least 1000 ports outside it for tests',
    );
  });
});
