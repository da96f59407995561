import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userSchemasCacheDir } from '../schemas/cache-dir';
import { PINNED_SCHEMA_FILES } from '../schemas/manifest';
import { pinnedFileCount, readSchemaPins } from '../schemas/pins';
import { checkAgainstPins } from '../schemas/verify';
import { fakeGoForPins } from '../testing/schema-pins-fixture';
import { findSchemas, resolveSchemasDir } from '../validate/schemas-dir';
import { runBuiltCli, runCli } from '../testing/run-cli';

describe('platform schemas', () => {
  const pins = readSchemaPins();
  const total = pinnedFileCount(pins);
  const fromModules = total - PINNED_SCHEMA_FILES.length;
  /** A stand-in go answering for the pinned modules, and a home without caches: the child needs neither Go nor a network. */
  function childEnv(extra: NodeJS.ProcessEnv = {}): { cwd: string; env: NodeJS.ProcessEnv } {
    const cwd = mkdtempSync(join(tmpdir(), 'schemas-cmd-cwd-')); // no repository above: no ../shared/schemas
    const bin = fakeGoForPins(cwd, pins, resolveSchemasDir());
    return { cwd, env: { PATH: bin, HOME: cwd, XDG_CACHE_HOME: cwd, ...extra } };
  }

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

  /** The progress lines a fetch from `base` writes on stderr: each module, then the downloads (ticks may come between). */
  function expectProgress(err: string, base: string): void {
    const lines = err.trimEnd().split('\n');
    const n = PINNED_SCHEMA_FILES.length;
    const expected = [
      ...pins.modules.map(
        (m, i) =>
          `schemas: go mod download ${m.module}@${m.version} in engines/${m.engine} (module ${i + 1} of ${pins.modules.length}, `,
      ),
      `schemas: downloading ${n} GitHub-pinned files from ${base}: 0 of ${n} done (`,
      `schemas: downloaded ${n} of ${n} GitHub-pinned files from ${base} in `,
    ];
    let at = 0;
    for (const line of lines) if (at < expected.length && line.startsWith(expected[at] as string)) at++;
    expect({ lines, missing: expected.slice(at) }).toEqual({ lines, missing: [] });
    expect(lines.filter((l) => !l.startsWith('schemas: '))).toEqual([]);
  }

  it('fetch reads the module-pinned files with go and downloads the rest from --base-url into --dest', async () => {
    const { server, base } = await pinnedFileServer();
    try {
      const { cwd, env } = childEnv();
      const dest = join(cwd, 'out');
      const r = await runBuiltCli(['schemas', 'fetch', '--dest', dest, '--base-url', base], { cwd, env });
      expect(r).toEqual({
        code: 0,
        out:
          `${dest}: ${total} pinned files verified and written (${fromModules} from the engine modules, 0 from ` +
          `local copies, ${PINNED_SCHEMA_FILES.length} downloaded)\n`,
        err: expect.any(String),
      });
      expectProgress(r.err, base);
      expect(checkAgainstPins(dest, pins)).toBeUndefined();
      const again = await runBuiltCli(['schemas', 'fetch', '--dest', dest, '--base-url', base], { cwd, env });
      expect(again.out).toBe(`${dest}: already holds the ${total} pinned files\n`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('fetch without Go fails in one line naming what is missing and the ways out', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'schemas-nogo-'));
    const env = { PATH: join(cwd, 'no-bin'), HOME: cwd, XDG_CACHE_HOME: cwd };
    const r = await runBuiltCli(['schemas', 'ensure', '--base-url', 'http://127.0.0.1:9'], { cwd, env });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const last = r.err.trimEnd().split('\n').pop();
    expect(last).toMatch(
      /^platform schemas: go: not found on PATH; .* set PLATFORM_SCHEMAS_DIR .* \.\.\/shared\/schemas .* install Go 1\.26 or later; nothing written$/,
    );
  });

  it('ensure uses the schemas it finds and downloads nothing', async () => {
    const found = findSchemas();
    expect(await runCli(['schemas', 'ensure', '--base-url', 'http://127.0.0.1:9'])).toEqual({
      code: 0,
      out: `schemas: ${found.dir}\n`,
      err: found.notes.map((n) => `schemas: ${n}\n`).join(''),
    });
  });

  it('ensure fetches into the user cache when nothing is found, then finds the cache', async () => {
    const { server, base, requests } = await pinnedFileServer();
    try {
      const { cwd, env } = childEnv({ PLATFORM_SCHEMAS_BASE_URL: base });
      const cache = userSchemasCacheDir(env);
      const first = await runBuiltCli(['schemas', 'ensure'], { cwd, env });
      expect(first).toEqual({
        code: 0,
        out:
          `${cache}: ${total} pinned files verified and written (${fromModules} from the engine modules, 0 from ` +
          `local copies, ${PINNED_SCHEMA_FILES.length} downloaded)\n`,
        err: expect.stringMatching(
          `^schemas: none found beside the repository or in the cache; fetching them into ${cache.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`,
        ),
      });
      expectProgress(first.err, base);
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
