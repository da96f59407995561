import { MetricsApp } from './app';
import { loadConfig } from './config';
import { captureLogger } from './testing/capture-logger';

describe('MetricsApp (hot-shots mock client)', () => {
  // Stopped again after each test (stop() is idempotent), so a failed assertion never leaves an HTTP server and a
  // send loop running that would keep jest from exiting.
  const apps: MetricsApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
  });
  const newApp = (props: ConstructorParameters<typeof MetricsApp>[0]): MetricsApp => {
    const app = new MetricsApp(props);
    apps.push(app);
    return app;
  };

  it('is ready once started, emits at once and every interval, reports stats, and stops cleanly', async () => {
    const { logger, lines } = captureLogger();
    const config = loadConfig({
      HTTP_PORT: '0',
      METRICS_INTERVAL_MS: '20',
      METRICS_PREFIX: 'unit.',
      METRICS_BUFFER_SIZE: '0',
    });
    const app = newApp({ config, logger, mockClient: true });
    const port = await app.start();
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const stats = (await (await fetch(`${base}/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ ready: true, shuttingDown: false, metric: 'unit.test.core.delay', errors: 0 });
    expect(stats.metricsSent).toBeGreaterThanOrEqual(3);
    expect(stats.ticks).toBe(stats.metricsSent);
    const buffer = app.client.mockBuffer ?? [];
    expect(buffer.length).toBeGreaterThanOrEqual(3);
    for (const line of buffer) expect(line).toMatch(/^unit\.test\.core\.delay:\d+\|ms$/);

    await app.stop();
    const sentAtStop = buffer.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(buffer.length).toBe(sentAtStop);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    expect(lines.at(-1)).toMatchObject({ msg: 'metrics client closed', metricsSent: sentAtStop });
  });

  it('stopped while its HTTP server is still binding, starts nothing and leaves nothing open', async () => {
    const { logger } = captureLogger();
    const app = newApp({ config: loadConfig({ HTTP_PORT: '0' }), logger, mockClient: true });
    const starting = app.start();
    await app.stop();
    const port = await starting;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(app.client.mockBuffer).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('bounds the final flush by the shutdown budget, and reports a failed one, without failing stop()', async () => {
    for (const [closeBehaviour, expected] of [
      ['hang', 'final flush did not finish in time: buffered metrics may be lost'],
      ['fail', 'final flush failed: buffered metrics were lost'],
    ] as const) {
      const { logger, lines } = captureLogger();
      const config = loadConfig({ HTTP_PORT: '0', SHUTDOWN_TIMEOUT_MS: '200' });
      const app = newApp({ config, logger, mockClient: true });
      await app.start();
      jest.spyOn(app.client, 'close').mockImplementation((callback) => {
        if (closeBehaviour === 'fail') callback?.(new Error('socket gone'));
      });
      const started = Date.now();
      await app.stop();
      expect(Date.now() - started).toBeLessThan(200);
      expect(lines.map((l) => l.msg)).toContain(expected);
      expect(lines.at(-1)?.msg).toBe('metrics client closed');
    }
  });
});
