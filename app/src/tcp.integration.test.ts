// The built app over TCP (METRICS_PROTOCOL=tcp) against a real statsd 0.9 (the devDependency) and TCP stand-ins on
// 127.0.0.1: it must reconnect after any outage, bound what it queues, and close cleanly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarbonLineTotals } from './bench/loopback-sinks';
import { AppProcess } from './testing/app-process';
import { StatsdDaemon } from './testing/daemons/statsd-daemon';
import { closedTcpPort, startTcpSink, waitFor } from './testing/sinks';
import type { Sink } from './testing/sinks';

const COUNT = 'stats.timers.test.core.delay.count';
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('metrics app over TCP', () => {
  const apps: AppProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let workDir: string;
  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'app-tcp-'));
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) app.kill();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });

  const startApp = (port: number, env: Record<string, string> = {}) => {
    const app = AppProcess.start({
      METRICS_BACKEND_HOST: '127.0.0.1',
      METRICS_BACKEND_PORT: String(port),
      METRICS_PROTOCOL: 'tcp',
      METRICS_INTERVAL_MS: '20',
      METRICS_PER_TICK: '50',
      METRICS_FLUSH_INTERVAL_MS: '100',
      ...env,
    });
    apps.push(app);
    return app;
  };
  const carbon = async () => {
    const sink = await CarbonLineTotals.start();
    cleanups.push(() => sink.close());
    return sink;
  };
  // statsd flushes to carbon every 100 ms rather than its 1 s default: each "counted by statsd" wait ends that much
  // sooner, and what is tested (the app's connection to statsd) is the same.
  const statsd = async (graphitePort: number, port?: number) => {
    const daemon = await StatsdDaemon.start({ workDir, graphitePort, protocol: 'tcp', port, flushIntervalMs: 100 });
    cleanups.push(() => daemon.stop());
    return daemon;
  };
  const transport = async (app: AppProcess) => (await app.getJson('/stats')).body.transport as Record<string, number>;

  /** SIGTERM; expects exit 0 and no claim that metrics were lost. */
  async function terminateCleanly(app: AppProcess): Promise<void> {
    app.child.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    expect(app.logs.filter((l) => l.level === 'warn' && l.msg.startsWith('final flush'))).toEqual([]);
    expect(app.stderr).toBe('');
  }

  it.each([
    ['killed (SIGKILL)', (d: StatsdDaemon) => d.kill(), 0],
    ['stopped (SIGTERM) for 0.3 s', (d: StatsdDaemon) => d.stop(), 300],
  ])('reconnects after statsd is %s and restarted on the same port', async (_how, takeDown, downtimeMs) => {
    const graphite = await carbon();
    const first = await statsd(graphite.port);
    const app = startApp(first.port);
    await waitFor(() => graphite.total(COUNT) >= 500, '500 timers counted by the first statsd', 15_000);
    await takeDown(first);
    await sleep(downtimeMs);
    const before = graphite.total(COUNT);
    await statsd(graphite.port, first.port);
    await waitFor(() => graphite.total(COUNT) >= before + 500, '500 more timers counted after the restart', 15_000);
    const stats = await transport(app);
    expect(stats.connected).toBe(true);
    expect(stats.connects).toBeGreaterThanOrEqual(2);
    expect(stats.disconnects).toBeGreaterThanOrEqual(1);
    expect((await app.getJson('/readyz')).status).toBe(200);
    await terminateCleanly(app);
  });

  it('starts before statsd, retries while nothing listens, and sends once it is up', async () => {
    const graphite = await carbon();
    const port = await closedTcpPort();
    const app = startApp(port);
    await app.waitForLog('sending metrics');
    // three refused connects (0.3 s of backoff: 100 + 200 ms) before statsd starts
    const deadline = Date.now() + 15_000;
    while (((await transport(app)).disconnects ?? 0) < 3 && Date.now() < deadline) await sleep(50);
    const waiting = await transport(app);
    expect(waiting.disconnects).toBeGreaterThanOrEqual(3);
    expect(waiting.connects).toBe(0);
    await statsd(graphite.port, port);
    await waitFor(() => graphite.total(COUNT) >= 500, '500 timers counted by statsd', 15_000);
    const stats = await transport(app);
    expect(stats.connects).toBe(1);
    expect(stats.disconnects).toBeGreaterThanOrEqual(3);
    await terminateCleanly(app);
  });

  it('a clean shutdown sends every timer and says nothing was lost', async () => {
    const sink = await startTcpSink();
    cleanups.push(() => sink.close());
    const app = startApp(sink.port, { METRICS_FLUSH_INTERVAL_MS: '10000' });
    await waitFor(() => sink.lines().length >= 500, '500 timers at the sink');
    await terminateCleanly(app);
    const closed = app.logs.find((l) => l.msg === 'metrics client closed');
    await waitFor(() => sink.lines().length >= (closed?.metricsSent as number), 'every timer at the sink', 3000);
    expect(sink.lines()).toHaveLength(closed?.metricsSent as number);
    expect(closed?.transport).toMatchObject({ droppedMetrics: 0, queuedBytes: 0 });
  });

  it('bounds memory for a statsd that never reads: drops beyond METRICS_TCP_QUEUE_BYTES and counts them', async () => {
    const sink: Sink = await startTcpSink({ read: false });
    cleanups.push(() => sink.close());
    // As fast as the app can format: far more than loopback buffers and the queue can hold within a few seconds.
    const app = startApp(sink.port, {
      METRICS_INTERVAL_MS: '10',
      METRICS_PER_TICK: '20000',
      METRICS_TCP_QUEUE_BYTES: String(4 * MiB),
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    await app.waitForLog('sending metrics');
    let stats = (await app.getJson('/stats')).body;
    const deadline = Date.now() + 15_000;
    while (((stats.transport as Record<string, number>).droppedMetrics ?? 0) < 1_000_000 && Date.now() < deadline) {
      await sleep(200);
      stats = (await app.getJson('/stats')).body;
    }
    const t = stats.transport as Record<string, number>;
    expect(t.droppedMetrics).toBeGreaterThanOrEqual(1_000_000);
    expect(t.queuedBytes).toBeLessThanOrEqual(4 * MiB);
    expect(t.maxQueuedBytes).toBe(4 * MiB);
    expect((stats.errorsByCode as Record<string, number>).ERR_QUEUE_FULL).toBeGreaterThan(0);
    // The Deployment's memory limit is 128 MiB; without the bound RSS passed 300 MiB within 3 s.
    expect((stats.memory as Record<string, number>).maxRssBytes).toBeLessThan(128 * MiB);
    // The rate-limited log: one warning per 10 s window, not one per dropped payload.
    expect(app.logs.filter((l) => l.msg.startsWith('statsd client error')).length).toBeLessThan(5);
    // Shutdown gives up on what the stuck statsd never takes, says so, and still exits 0.
    app.child.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    const lost = app.logs.find((l) => l.msg.startsWith('final flush incomplete'));
    expect(lost?.lostMetrics).toBeGreaterThan(0);
  });
});
