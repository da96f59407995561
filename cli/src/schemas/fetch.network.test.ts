import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localProxy, refusedPort, silentServer } from '../testing/local-net';
import { expectSilentHostFails, githubPinsOf as pinsOf, WAYS_OUT_GITHUB as WAYS_OUT } from '../testing/schema-net';
import { schemaPinsFixture } from '../testing/schema-pins-fixture';
import { fetchPinnedSchemas } from './fetch';
import { DEFAULT_STALL_MS, HttpClient } from './http-get';

/** Serves `bodies` by path on 127.0.0.1, each answer after `delayMs`. */
async function fileServer(bodies: ReadonlyMap<string, string>, delayMs = 0) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = bodies.get(req.url ?? '');
    setTimeout(() => (body === undefined ? res.writeHead(404).end() : res.writeHead(200).end(body)), delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const dest = (): string => join(mkdtempSync(join(tmpdir(), 'schemas-net-')), 'cache');

describe('platform schemas fetch over the network', () => {
  // The default (DEFAULT_STALL_MS, 10 s) in full is in fetch.network.slow.test.ts; here the same mechanism, 1 s.
  it('fails within the stall time once in total, naming the host and the ways out, when the host accepts and never answers', async () => {
    await expectSilentHostFails({ stallMs: 1000, waited: '1 s', atLeastMs: 950, withinMs: 3000 });
  });

  it('waits 10 s for a silent host by default', () => {
    expect(DEFAULT_STALL_MS).toBe(10_000);
    expect(new HttpClient().stallMs).toBe(DEFAULT_STALL_MS);
    expect(new HttpClient({ stallMs: 1000 }).stallMs).toBe(1000);
  });

  it('fails at once on a refused connection, with one line naming the host, the error and the ways out', async () => {
    const port = await refusedPort();
    const { pins } = pinsOf(5);
    const started = Date.now();
    const err = await fetchPinnedSchemas({ dest: dest(), baseUrl: `http://127.0.0.1:${port}`, pins, env: {} }).catch(
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(3000); // no retries with back-off for a host that is not there
    const msg = (err as Error).message;
    expect(msg).toMatch(
      new RegExp(
        `^cannot download crds/thing0\\.yaml from 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}; `,
      ),
    );
    expect(msg).toMatch(WAYS_OUT);
  });

  it('goes through the HTTP proxy HTTP_PROXY names, and straight to a host NO_PROXY lists', async () => {
    const { pins, bodies } = pinsOf(3);
    const srv = await fileServer(bodies);
    const proxy = await localProxy();
    try {
      const out = dest();
      const r = await fetchPinnedSchemas({ dest: out, baseUrl: srv.base, pins, env: { HTTP_PROXY: proxy.url } });
      expect(r.downloaded).toBe(3);
      expect(readFileSync(join(out, 'crds/thing2.yaml'), 'utf8')).toBe(
        bodies.get(`/owner/things/${pins.github[2]?.commit}/crds/thing2.yaml`),
      );
      // a tunnel (CONNECT) or the absolute-URI form: either way the proxy carried the requests
      expect(proxy.seen.length).toBeGreaterThan(0);
      for (const s of proxy.seen)
        expect(s).toMatch(new RegExp(`^(CONNECT 127\\.0\\.0\\.1:${srv.port}|GET ${srv.base}/)`));
      expect(srv.requests).toHaveLength(3);

      proxy.seen.length = 0;
      for (const noProxy of ['127.0.0.1', `localhost,127.0.0.1:${srv.port}`, '*']) {
        const direct = await fetchPinnedSchemas({
          dest: dest(),
          baseUrl: srv.base,
          pins,
          env: { http_proxy: proxy.url, no_proxy: noProxy },
        });
        expect({ noProxy, downloaded: direct.downloaded, proxied: proxy.seen }).toEqual({
          noProxy,
          downloaded: 3,
          proxied: [],
        });
      }
      expect(srv.requests).toHaveLength(12);
    } finally {
      await proxy.close();
      await srv.close();
    }
  });

  it('tunnels https through HTTPS_PROXY with CONNECT, and names the proxy when it refuses', async () => {
    const proxy = await localProxy({ refuseWith: 403 });
    const port = await refusedPort(); // the proxy refuses before connecting anywhere
    try {
      const { pins } = pinsOf(2);
      const err = await fetchPinnedSchemas({
        dest: dest(),
        baseUrl: `https://127.0.0.1:${port}`,
        pins,
        env: { HTTPS_PROXY: proxy.url.replace('http://', 'http://user:secret@') },
      }).catch((e: unknown) => e);
      expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${port}`]);
      const msg = (err as Error).message;
      expect(msg).toMatch(
        new RegExp(
          `^cannot download crds/thing0\\.yaml from 127\\.0\\.0\\.1:${port} via proxy ${proxy.url}: .*403.*; `,
        ),
      );
      expect(msg).not.toContain('secret');
      expect(msg).toMatch(WAYS_OUT);
    } finally {
      await proxy.close();
    }
  });

  it('reports progress: each module, how many files of how many from where, and a silent wait while it lasts', async () => {
    const fx = schemaPinsFixture(mkdtempSync(join(tmpdir(), 'schemas-progress-')));
    const { pins, bodies } = pinsOf(3);
    const srv = await fileServer(bodies, 250);
    const lines: string[] = [];
    const progress = { write: (l: string) => lines.push(l), intervalMs: 100 };
    try {
      const slowModule = async (dir: string, m: string, v?: string) => {
        await new Promise((r) => setTimeout(r, 250));
        return fx.downloadModule(dir, m, v);
      };
      const both = { ...fx.pins, github: pins.github };
      await fetchPinnedSchemas({
        dest: dest(),
        baseUrl: srv.base,
        pins: both,
        root: fx.root,
        downloadModule: slowModule,
        progress,
      });
      const m = fx.pins.modules[0]!;
      const moduleLine = `go mod download ${m.module}@${m.version} in engines/fake (module 1 of 1, 0 s)`;
      expect(lines[0]).toBe(moduleLine);
      expect(lines[1]).toBe(moduleLine); // repeated while it runs
      const first = lines.indexOf(`downloading 3 GitHub-pinned files from ${srv.base}: 0 of 3 done (0 s)`);
      expect(first).toBeGreaterThan(1);
      expect(lines).toContain(`downloading 3 GitHub-pinned files from ${srv.base}: 1 of 3 done (0 s)`);
      expect(lines[lines.length - 1]).toMatch(
        new RegExp(`^downloaded 3 of 3 GitHub-pinned files from ${srv.base.replace(/\./g, '\\.')} in \\d+ s$`),
      );
    } finally {
      await srv.close();
    }
    // a host that does not answer shows as such, and where the proxy is
    const silent = await silentServer();
    const proxy = await localProxy();
    lines.length = 0;
    try {
      await expect(
        fetchPinnedSchemas({
          dest: dest(),
          baseUrl: silent.base,
          pins,
          env: { HTTP_PROXY: proxy.url },
          stallMs: 1500,
          progress: { write: (l: string) => lines.push(l), intervalMs: 200 },
        }),
      ).rejects.toThrow('no response in 1.5 s');
      expect(lines[0]).toBe(
        `downloading 3 GitHub-pinned files from ${silent.base} via proxy ${proxy.url}: 0 of 3 done (0 s)`,
      );
      expect(lines).toContain(
        `downloading 3 GitHub-pinned files from ${silent.base} via proxy ${proxy.url}: 0 of 3 done (1 s, no answer for 1 s)`,
      );
    } finally {
      await proxy.close();
      await silent.close();
    }
  });
});
