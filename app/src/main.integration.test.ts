// The built app (app/lib/main.js) as a child process against statsd stand-ins on 127.0.0.1.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { AppProcess } from './testing/app-process';
import { closedTcpPort, closedUdpPort, startTcpSink, startUdpSink, waitFor } from './testing/sinks';
import type { Sink } from './testing/sinks';

const LINE = /^test\.core\.delay:(\d|[1-9]\d{1,2}|1000)\|ms$/;

describe('metrics app process', () => {
  const apps: AppProcess[] = [];
  const sinks: Sink[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) app.kill();
    for (const sink of sinks.splice(0)) await sink.close();
  });
  const start = (env: Record<string, string>) => {
    const app = AppProcess.start(env);
    apps.push(app);
    return app;
  };
  const udpSink = async () => {
    const sink = await startUdpSink();
    sinks.push(sink);
    return sink;
  };

  /** SIGTERM, then the exit status and the metricsSent total the app logged once its client was closed. */
  async function terminate(app: AppProcess): Promise<{ code: number | null; metricsSent: number; ms: number }> {
    const started = Date.now();
    app.child.kill('SIGTERM');
    const { code } = await app.exited;
    const closed = app.logs.find((l) => l.msg === 'metrics client closed');
    if (closed === undefined) throw new Error(`no "metrics client closed" log: ${app.describe()}`);
    return { code, metricsSent: closed.metricsSent as number, ms: Date.now() - started };
  }

  it('buffers: several timers per datagram, no datagram above METRICS_BUFFER_SIZE', async () => {
    const sink = await udpSink();
    const app = start({
      METRICS_BACKEND_HOST: '127.0.0.1',
      METRICS_BACKEND_PORT: String(sink.port),
      METRICS_INTERVAL_MS: '20',
      METRICS_PER_TICK: '200',
      METRICS_BUFFER_SIZE: '512',
      METRICS_FLUSH_INTERVAL_MS: '100',
    });
    await waitFor(() => sink.lines().length >= 2000, '2000 timers at the sink');
    const { code, metricsSent } = await terminate(app);
    expect(code).toBe(0);
    await waitFor(() => sink.lines().length === metricsSent, `all ${metricsSent} timers at the sink`);
    for (const packet of sink.packets) expect(packet.length).toBeLessThanOrEqual(512);
    expect(sink.lines().length / sink.packets.length).toBeGreaterThan(10);
    for (const line of sink.lines()) expect(line).toMatch(LINE);
  });

  it('unbuffered (METRICS_BUFFER_SIZE=0): one timer per datagram', async () => {
    const sink = await udpSink();
    const app = start({
      METRICS_BACKEND_HOST: '127.0.0.1',
      METRICS_BACKEND_PORT: String(sink.port),
      METRICS_INTERVAL_MS: '20',
      METRICS_PER_TICK: '5',
      METRICS_BUFFER_SIZE: '0',
    });
    await waitFor(() => sink.packets.length >= 20, '20 datagrams');
    expect((await terminate(app)).code).toBe(0);
    for (const packet of sink.packets) expect(packet.toString()).toMatch(LINE);
  });

  it('flushes on SIGTERM: every timer sent before the signal arrives, then exits 0', async () => {
    const sink = await udpSink();
    // A buffer that never fills and a flush interval longer than the test: only the shutdown flush sends.
    const app = start({
      METRICS_BACKEND_HOST: '127.0.0.1',
      METRICS_BACKEND_PORT: String(sink.port),
      METRICS_INTERVAL_MS: '20',
      METRICS_PER_TICK: '20',
      METRICS_BUFFER_SIZE: '65000',
      METRICS_FLUSH_INTERVAL_MS: '10000',
    });
    await app.waitForLog('sending metrics');
    let stats = (await app.getJson('/stats')).body;
    while ((stats.metricsSent as number) < 60) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stats = (await app.getJson('/stats')).body;
    }
    expect(sink.packets).toHaveLength(0);
    const { code, metricsSent, ms } = await terminate(app);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
    expect(metricsSent).toBeGreaterThanOrEqual(60);
    await waitFor(() => sink.lines().length >= metricsSent, `${metricsSent} timers at the sink`, 3000);
    expect(sink.lines()).toHaveLength(metricsSent);
    expect(app.logs.map((l) => l.msg).slice(-3)).toEqual([
      'shutting down',
      'metrics client closed',
      'shutdown complete',
    ]);
  });

  it('sends over TCP (METRICS_PROTOCOL=tcp) and flushes on SIGINT', async () => {
    const sink = await startTcpSink();
    sinks.push(sink);
    const app = start({
      METRICS_BACKEND_HOST: '127.0.0.1',
      METRICS_BACKEND_PORT: String(sink.port),
      METRICS_PROTOCOL: 'tcp',
      METRICS_INTERVAL_MS: '20',
      METRICS_PER_TICK: '50',
      METRICS_FLUSH_INTERVAL_MS: '10000',
    });
    await waitFor(() => sink.lines().length >= 500, '500 timers over TCP');
    const started = Date.now();
    app.child.kill('SIGINT');
    expect((await app.exited).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    const closed = app.logs.find((l) => l.msg === 'metrics client closed');
    await waitFor(() => sink.lines().length >= (closed?.metricsSent as number), 'every timer over TCP', 3000);
    expect(sink.lines()).toHaveLength(closed?.metricsSent as number);
    for (const line of sink.lines()) expect(line).toMatch(LINE);
  });

  describe('never crashes on an unreachable backend; counts the errors; still exits 0', () => {
    const fastLoop = { METRICS_INTERVAL_MS: '20', METRICS_PER_TICK: '10', METRICS_FLUSH_INTERVAL_MS: '50' };

    async function runAgainst(env: Record<string, string>, expectErrorCodes: string[] | 'none') {
      const app = start({ ...fastLoop, ...env });
      await app.waitForLog('sending metrics');
      let stats = (await app.getJson('/stats')).body;
      const deadline = Date.now() + 10_000;
      while (expectErrorCodes !== 'none' && (stats.errors as number) < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        stats = (await app.getJson('/stats')).body;
      }
      if (expectErrorCodes === 'none') await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await app.getJson('/healthz')).status).toBe(200);
      expect((await app.getJson('/readyz')).status).toBe(200);
      stats = (await app.getJson('/stats')).body;
      expect(stats.metricsSent).toBeGreaterThan(0);
      if (expectErrorCodes === 'none') {
        expect(stats.errors).toBe(0);
      } else {
        expect(stats.errors).toBeGreaterThanOrEqual(3);
        expect(Object.keys(stats.errorsByCode as object).every((code) => expectErrorCodes.includes(code))).toBe(true);
        // Rate-limited: one warning per 10 s window (this test takes well under one), however many errors.
        const warnings = app.logs.filter((l) => l.msg.startsWith('statsd client error')).length;
        expect(warnings).toBeGreaterThanOrEqual(1);
        expect(warnings).toBeLessThan(stats.errors as number);
      }
      const { code, ms } = await terminate(app);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(5000);
      expect(app.stderr).toBe('');
    }

    it('unknown host (DNS failure), UDP', () =>
      runAgainst({ METRICS_BACKEND_HOST: 'no-such-host.invalid' }, ['ENOTFOUND', 'EAI_AGAIN']));

    it('unknown host (DNS failure), TCP', () =>
      runAgainst({ METRICS_BACKEND_HOST: 'no-such-host.invalid', METRICS_PROTOCOL: 'tcp' }, [
        'ENOTFOUND',
        'EAI_AGAIN',
        'ERR_SOCKET_DESTROYED',
      ]));

    it('closed TCP port (connection refused)', async () =>
      runAgainst(
        {
          METRICS_BACKEND_HOST: '127.0.0.1',
          METRICS_BACKEND_PORT: String(await closedTcpPort()),
          METRICS_PROTOCOL: 'tcp',
        },
        ['ECONNREFUSED', 'ERR_SOCKET_DESTROYED', 'EPIPE', 'ECONNRESET'],
      ));

    it('closed UDP port (ICMP port unreachable: invisible to an unconnected socket, so no errors either)', async () =>
      runAgainst({ METRICS_BACKEND_HOST: '127.0.0.1', METRICS_BACKEND_PORT: String(await closedUdpPort()) }, 'none'));
  });

  it('refuses an invalid configuration before any work: exit 78, message names variable, value and rule', async () => {
    const app = start({ METRICS_BACKEND_PORT: 'eighty', METRICS_PREFIX: 'noseparator' });
    const { code } = await app.exited;
    expect(code).toBe(78);
    expect(app.logs).toHaveLength(1);
    const [line] = app.logs;
    expect(line?.level).toBe('fatal');
    expect(line?.msg).toContain('METRICS_BACKEND_PORT="eighty" is invalid, expected an integer from 1 to 65535');
    expect(line?.msg).toContain('METRICS_PREFIX="noseparator" is invalid, expected empty, or dot-separated');
  });

  it('reports a taken HTTP_PORT as a configuration error: exit 78, one line naming HTTP_PORT, no stack', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const app = start({ HTTP_PORT: String(port), METRICS_BACKEND_HOST: '127.0.0.1' });
      expect((await app.exited).code).toBe(78);
      expect(app.logs.at(-1)).toMatchObject({
        level: 'fatal',
        msg: `invalid configuration: HTTP_PORT=${port} is already in use (EADDRINUSE), expected a free port`,
      });
      expect(app.logs.some((l) => 'err' in l)).toBe(false);
      expect(app.stderr).toBe('');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
