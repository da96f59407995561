import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userSchemasCacheDir } from '../schemas/cache-dir';
import { PINNED_SCHEMA_FILES } from '../schemas/manifest';
import { resolveSchemasDir } from '../validate/schemas-dir';
import { runBuiltCli, runCli } from '../testing/run-cli';

describe('platform schemas', () => {
  /** Serves the pinned files (read from the schemas this checkout validates with) as <base>/<repo>/<commit>/<path>. */
  async function pinnedFileServer(): Promise<{ server: Server; base: string; requests: () => number }> {
    const source = resolveSchemasDir();
    const files = new Map(PINNED_SCHEMA_FILES.map((f) => [`/${f.repository}/${f.commit}/${f.path}`, f.file]));
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      const file = files.get(req.url ?? '');
      if (file === undefined) res.writeHead(404).end();
      else res.writeHead(200).end(readFileSync(join(source, file)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
  }

  it('fetch downloads the pinned files from --base-url into --dest', async () => {
    const { server, base } = await pinnedFileServer();
    try {
      const dest = join(mkdtempSync(join(tmpdir(), 'schemas-cmd-')), 'out');
      const r = await runCli(['schemas', 'fetch', '--dest', dest, '--base-url', base]);
      expect(r).toEqual({
        code: 0,
        out: `${dest}: ${PINNED_SCHEMA_FILES.length} pinned files downloaded and verified\n`,
        err: '',
      });
      expect((await runCli(['schemas', 'fetch', '--dest', dest, '--base-url', base])).out).toContain('already holds');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('ensure uses the schemas it finds and downloads nothing', async () => {
    expect(await runCli(['schemas', 'ensure', '--base-url', 'http://127.0.0.1:9'])).toEqual({
      code: 0,
      out: `schemas: ${resolveSchemasDir()}\n`,
      err: '',
    });
  });

  it('ensure fetches into the user cache when nothing is found, then finds the cache', async () => {
    const { server, base, requests } = await pinnedFileServer();
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'schemas-ensure-cwd-')); // no repository above: no ../shared/schemas
      const cacheHome = mkdtempSync(join(tmpdir(), 'schemas-ensure-cache-'));
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: cacheHome,
        XDG_CACHE_HOME: cacheHome,
        PLATFORM_SCHEMAS_BASE_URL: base,
      };
      const cache = userSchemasCacheDir(env);
      const first = await runBuiltCli(['schemas', 'ensure'], { cwd, env });
      expect(first).toEqual({
        code: 0,
        out: `${cache}: ${PINNED_SCHEMA_FILES.length} pinned files downloaded and verified\n`,
        err: `schemas: none found beside the repository or in the cache; fetching them into ${cache}\n`,
      });
      expect(resolveSchemasDir({ env, repoRoot: cwd })).toBe(cache);
      const served = requests();
      expect(await runBuiltCli(['schemas', 'ensure'], { cwd, env })).toEqual({
        code: 0,
        out: `schemas: ${cache}\n`,
        err: '',
      });
      expect(requests()).toBe(served);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('ensure never replaces an unusable PLATFORM_SCHEMAS_DIR by a download', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'schemas-ensure-cwd-'));
    const r = await runBuiltCli(['schemas', 'ensure'], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: cwd,
        PLATFORM_SCHEMAS_DIR: join(cwd, 'missing'),
        PLATFORM_SCHEMAS_BASE_URL: 'http://127.0.0.1:9',
      },
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`PLATFORM_SCHEMAS_DIR: got "${join(cwd, 'missing')}", which is not a directory`);
    expect(r.out).toBe('');
  });

  it('path prints the user cache; bad usage exits 2, download failures 1', async () => {
    expect(await runCli(['schemas', 'path'])).toEqual({ code: 0, out: `${userSchemasCacheDir()}\n`, err: '' });
    expect((await runCli(['schemas'])).code).toBe(2);
    expect((await runCli(['schemas', 'fetch', '--bogus'])).code).toBe(2);
    expect(await runCli(['schemas', 'ensure', '--dest', '/tmp/x'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('unknown argument --dest; expected --base-url'),
    });
    const dest = join(mkdtempSync(join(tmpdir(), 'schemas-cmd-')), 'out');
    const failed = await runCli(['schemas', 'fetch', '--dest', dest, '--base-url', 'gopher://x']);
    expect(failed).toMatchObject({ code: 1, err: expect.stringContaining('base URL: got "gopher://x"') });
  });
});
