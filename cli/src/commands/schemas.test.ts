import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userSchemasCacheDir } from '../schemas/cache-dir';
import { PINNED_SCHEMA_FILES } from '../schemas/manifest';
import { resolveSchemasDir } from '../validate/schemas-dir';
import { runCli } from '../testing/run-cli';

describe('platform schemas', () => {
  it('fetch downloads the pinned files from --base-url into --dest', async () => {
    const source = resolveSchemasDir();
    const files = new Map(PINNED_SCHEMA_FILES.map((f) => [`/${f.repository}/${f.commit}/${f.path}`, f.file]));
    const server = createServer((req, res) => {
      const file = files.get(req.url ?? '');
      if (file === undefined) res.writeHead(404).end();
      else res.writeHead(200).end(readFileSync(join(source, file)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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

  it('path prints the user cache; bad usage exits 2, download failures 1', async () => {
    expect(await runCli(['schemas', 'path'])).toEqual({ code: 0, out: `${userSchemasCacheDir()}\n`, err: '' });
    expect((await runCli(['schemas'])).code).toBe(2);
    expect((await runCli(['schemas', 'fetch', '--bogus'])).code).toBe(2);
    const dest = join(mkdtempSync(join(tmpdir(), 'schemas-cmd-')), 'out');
    const failed = await runCli(['schemas', 'fetch', '--dest', dest, '--base-url', 'gopher://x']);
    expect(failed).toMatchObject({ code: 1, err: expect.stringContaining('base URL: got "gopher://x"') });
  });
});
