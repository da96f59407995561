import { ProbeServer } from './http-server';
import { captureLogger } from './testing/capture-logger';

describe('ProbeServer', () => {
  let ready = false;
  const { logger } = captureLogger();
  const server = new ProbeServer({
    port: 0,
    host: '127.0.0.1',
    isReady: () => ready,
    stats: () => ({ metricsSent: 7 }),
    logger,
  });
  let base = '';
  beforeAll(async () => {
    base = `http://127.0.0.1:${await server.listen()}`;
  });
  afterAll(() => server.close());

  it('answers /healthz with 200', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 503 until ready, then 200', async () => {
    ready = false;
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/readyz?verbose=1`)).status).toBe(200);
  });

  it('serves /stats as JSON', async () => {
    expect(await (await fetch(`${base}/stats`)).json()).toEqual({ metricsSent: 7 });
  });

  it('answers HEAD without a body, other methods with 405, unknown paths with 404', async () => {
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${base}/stats`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });

  it('closes when close() comes while listen() is still binding: nothing is left listening', async () => {
    const early = new ProbeServer({ port: 0, host: '127.0.0.1', isReady: () => true, stats: () => ({}), logger });
    const listening = early.listen();
    await early.close();
    const port = await listening;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('rejects listen() when the port is taken', async () => {
    const port = Number(new URL(base).port);
    const other = new ProbeServer({ port, host: '127.0.0.1', isReady: () => true, stats: () => ({}), logger });
    await expect(other.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
