import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localProxy } from '../testing/local-net';
import { expectSilentGoProxyFails, fakeGo } from '../testing/schema-net';
import { schemaPinsFixture } from '../testing/schema-pins-fixture';
import { goModDownloader, GoModuleError } from './go-module';

describe('go mod download of the schema modules', () => {
  // The default (DEFAULT_STALL_MS, 10 s) in full is in go-module.slow.test.ts; here the same mechanism, 1 s.
  it('fails within the stall time in one line naming the Go module proxy when it accepts and never answers', async () => {
    await expectSilentGoProxyFails({ stallMs: 1000, waited: '1 s', atLeastMs: 950, withinMs: 3000 });
  });

  it('asks the proxy for the pinned version through HTTPS_PROXY, and not at all for a module already in the cache', async () => {
    const base = mkdtempSync(join(tmpdir(), 'schemas-goproxy-'));
    const fx = schemaPinsFixture(base);
    const answer = JSON.stringify({ Path: fx.module.path, Version: 'v1.2.3', Sum: fx.module.sum, Dir: fx.moduleDir });
    const proxy = await localProxy({ refuseWith: 502 });
    try {
      const modcache = join(base, 'modcache');
      const env = {
        PATH: fakeGo(base, answer),
        HOME: base,
        // not loopback (go never proxies loopback), and never resolved: the proxy in between answers instead
        GOPROXY: 'https://goproxy.example.test|https://second.example.test/go',
        GOMODCACHE: modcache,
        HTTPS_PROXY: proxy.url,
      };
      const download = goModDownloader({ env });
      const engineDir = join(fx.root, 'engines', 'fake');
      const err = await download(engineDir, fx.module.path, 'v1.2.3').catch((e: unknown) => e);
      // go moves past a failing entry followed by `|`; the last one is what it fails on
      expect(proxy.seen).toEqual(['CONNECT goproxy.example.test:443', 'CONNECT second.example.test:443']);
      expect(err).toBeInstanceOf(GoModuleError);
      expect((err as Error).message).toMatch(
        new RegExp(
          `cannot reach the Go module proxy second\\.example\\.test via proxy ${proxy.url} \\(go env GOPROXY\\): .*502`,
        ),
      );
      // in the module cache (go's download cache has the zip): go needs no proxy, so none is asked
      const zipDir = join(modcache, 'cache', 'download', 'example.com', '!upstream', 'schemas', '@v');
      mkdirSync(zipDir, { recursive: true });
      writeFileSync(join(zipDir, 'v1.2.3.zip'), '');
      proxy.seen.length = 0;
      expect(await download(engineDir, fx.module.path, 'v1.2.3')).toEqual(fx.module);
      expect(proxy.seen).toEqual([]);
      expect(readFileSync(join(base, 'downloads'), 'utf8')).toBe(`mod download -json ${fx.module.path}\n`);
    } finally {
      await proxy.close();
    }
  });

  it('goes on to go mod download when the proxy answers, having asked it for the version go needs', async () => {
    const base = mkdtempSync(join(tmpdir(), 'schemas-goproxy-'));
    const fx = schemaPinsFixture(base);
    const answer = JSON.stringify({ Path: fx.module.path, Version: 'v1.2.3', Sum: fx.module.sum, Dir: fx.moduleDir });
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(404).end(); // any answer: go deals with it
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const env = {
        PATH: fakeGo(base, answer),
        HOME: base,
        GOPROXY: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        GOMODCACHE: join(base, 'empty'),
      };
      const download = goModDownloader({ env });
      expect(await download(join(fx.root, 'engines', 'fake'), fx.module.path, 'v1.2.3')).toEqual(fx.module);
      expect(asked).toEqual(['/example.com/!upstream/schemas/@v/v1.2.3.info']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
