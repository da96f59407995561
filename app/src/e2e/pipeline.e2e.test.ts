// The whole pipeline with real daemons on loopback, in a fresh temporary directory:
//   app (child process) -UDP-> statsd 0.9 -> carbon-cache -> whisper files <- graphite-web (gunicorn) render API.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess } from '../testing/app-process';
import { CarbonCache } from '../testing/daemons/carbon-cache';
import { assertGraphitePackagesInstalled } from '../testing/daemons/debian-packages';
import { GraphiteWeb } from '../testing/daemons/graphite-web';
import type { RenderSeries } from '../testing/daemons/graphite-web';
import { StatsdDaemon } from '../testing/daemons/statsd-daemon';

/** statsd flushes every 2 s into 1 s whisper slots: two flushes never share (and overwrite) a slot. */
const STATSD_FLUSH_MS = 2000;

describe('statsd -> carbon-cache -> whisper -> graphite-web, fed by the app', () => {
  let workDir = '';
  let carbon: CarbonCache | undefined;
  let web: GraphiteWeb | undefined;
  let statsd: StatsdDaemon | undefined;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    assertGraphitePackagesInstalled();
    workDir = mkdtempSync(join(tmpdir(), 'metrics-e2e-'));
    carbon = await CarbonCache.start({ workDir, retention: '1s:1h' });
    web = await GraphiteWeb.start({ workDir, carbon });
    statsd = await StatsdDaemon.start({ workDir, graphitePort: carbon.linePort, flushIntervalMs: STATSD_FLUSH_MS });
  }, 150_000);

  afterAll(async () => {
    app?.kill();
    for (const daemon of [statsd, web, carbon]) await daemon?.stop().catch(() => undefined);
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  /** Polls the render API until `accept` holds (every 500 ms, up to `timeoutMs`), returning the last answer. */
  async function renderUntil(target: string, accept: (s: RenderSeries[]) => boolean, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let series = await web!.render(target);
    while (!accept(series)) {
      if (Date.now() > deadline) {
        throw new Error(
          `render(${target}) never satisfied the check within ${timeoutMs} ms; last answer: ${JSON.stringify(series).slice(0, 800)}\n` +
            [statsd, carbon, web].map((d) => d?.process.tail(15)).join('\n'),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      series = await web!.render(target);
    }
    return series;
  }

  const values = (series: RenderSeries[]) =>
    series.flatMap((s) => s.datapoints.map(([value]) => value)).filter((v): v is number => v !== null);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  it('lands the timer at stats.timers.<prefix>test.core.delay (count and mean), every metric sent, and exits 0 on SIGTERM', async () => {
    const prefix = `e2e.run${process.pid}.`;
    const timer = `stats.timers.${prefix}test.core.delay`;
    app = AppProcess.start({
      METRICS_BACKEND_HOST: '127.0.0.1',
      METRICS_BACKEND_PORT: String(statsd!.port),
      METRICS_PREFIX: prefix,
      METRICS_INTERVAL_MS: '100',
      METRICS_PER_TICK: '5',
      METRICS_FLUSH_INTERVAL_MS: '200',
    });
    await app.waitForLog('sending metrics');

    const counts = await renderUntil(`${timer}.count`, (s) => values(s).some((v) => v > 0), 60_000);
    expect(counts).toHaveLength(1);
    expect(counts[0]?.target).toBe(`${timer}.count`);
    const means = await renderUntil(`${timer}.mean`, (s) => values(s).length > 0, 20_000);
    for (const mean of values(means)) {
      expect(mean).toBeGreaterThanOrEqual(0);
      expect(mean).toBeLessThanOrEqual(1000);
    }
    const upper = values(await web!.render(`${timer}.upper`));
    expect(Math.max(...upper)).toBeLessThanOrEqual(1000);

    // carbon wrote whisper files with the configured 1 s retention.
    const countFile = carbon!.whisperFile(`${timer}.count`);
    expect(existsSync(countFile)).toBe(true);
    const info = execFileSync('/usr/bin/whisper-info', [countFile], { encoding: 'utf8' });
    expect(info).toMatch(/secondsPerPoint: 1\b/);
    expect(info).toMatch(/retention: 3600\b/);

    // SIGTERM: the app flushes and exits 0; then every metric it sent is counted in Graphite, none twice.
    app.child.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    const closed = app.logs.find((l) => l.msg === 'metrics client closed');
    const sent = closed?.metricsSent as number;
    expect(sent).toBeGreaterThan(0);
    const total = values(
      await renderUntil(`${timer}.count`, (s) => sum(values(s)) >= sent, 6 * STATSD_FLUSH_MS + 10_000),
    );
    expect(sum(total)).toBe(sent);

    // A timer (|ms) stays a timer: statsd made no counter of it (it would for |h or |d).
    expect(await web!.render(`stats.counters.${prefix}test.core.delay`)).toEqual([]);
  }, 150_000);
});
