import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSchemasDir } from '../validate/schemas-dir';
import { fetchPinnedSchemas, isComplete, SchemaFetchError, sha256, urlFor } from './fetch';
import { PINNED_SCHEMA_FILES, type PinnedSchemaFile } from './manifest';

const source = resolveSchemasDir();

/** Serves the pinned files from the local schemas directory at GitHub raw-content paths, on 127.0.0.1. */
function serve(override: (f: PinnedSchemaFile) => Buffer | number | undefined = () => undefined) {
  const byPath = new Map(PINNED_SCHEMA_FILES.map((f) => [`/${f.repository}/${f.commit}/${f.path}`, f]));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const f = byPath.get(req.url ?? '');
    const o = f === undefined ? 404 : override(f);
    if (typeof o === 'number') {
      res.writeHead(o).end();
      return;
    }
    res.writeHead(200).end(o ?? readFileSync(join(source, (f as PinnedSchemaFile).file)));
  });
  return new Promise<{ base: string; requests: string[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ base: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

describe('platform schemas fetch', () => {
  it('pins every file of SOURCES.tsv with the sha256 of the shared copy', () => {
    const tsv = readFileSync(join(source, 'SOURCES.tsv'), 'utf8').trim().split('\n').slice(1);
    expect(PINNED_SCHEMA_FILES.map((f) => [f.file, f.repository, f.ref, f.path, f.commit].join('\t'))).toEqual(tsv);
    expect(isComplete(source)).toBe(true);
  });

  it('builds raw GitHub URLs from repository, commit and path', () => {
    const f = PINNED_SCHEMA_FILES[0] as PinnedSchemaFile;
    expect(urlFor('https://raw.githubusercontent.com/', f)).toBe(
      `https://raw.githubusercontent.com/${f.repository}/${f.commit}/${f.path}`,
    );
  });

  it('downloads exactly the pinned files, verifies them and skips a complete cache', async () => {
    const srv = await serve();
    try {
      const dest = join(mkdtempSync(join(tmpdir(), 'schemas-')), 'cache');
      const result = await fetchPinnedSchemas({ dest, baseUrl: srv.base });
      expect(result.downloaded).toBe(PINNED_SCHEMA_FILES.length);
      expect(srv.requests).toHaveLength(PINNED_SCHEMA_FILES.length);
      expect(isComplete(dest)).toBe(true);
      expect(readdirSync(dest).sort()).toEqual(['SOURCES.tsv', 'compose', 'crds', 'kubernetes']);
      expect(resolveSchemasDir({ schemasDir: dest })).toBe(dest);
      const again = await fetchPinnedSchemas({ dest, baseUrl: srv.base });
      expect(again.downloaded).toBe(0);
      expect(srv.requests).toHaveLength(PINNED_SCHEMA_FILES.length);
    } finally {
      await srv.close();
    }
  });

  it('rejects a tampered file and leaves the previous cache untouched', async () => {
    const tampered = PINNED_SCHEMA_FILES[3] as PinnedSchemaFile;
    const srv = await serve((f) => (f === tampered ? Buffer.from('kind: Evil\n') : undefined));
    try {
      const dest = join(mkdtempSync(join(tmpdir(), 'schemas-')), 'cache');
      const marker = join(dest, 'previous');
      await fetchPinnedSchemas({ dest, baseUrl: srv.base, files: [PINNED_SCHEMA_FILES[0] as PinnedSchemaFile] });
      writeFileSync(marker, 'kept');
      const err = await fetchPinnedSchemas({ dest, baseUrl: srv.base }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaFetchError);
      expect((err as Error).message).toContain(
        `${tampered.file}: sha256 ${sha256('kind: Evil\n')}, expected ${tampered.sha256}`,
      );
      expect((err as Error).message).toContain('nothing written');
      expect(readFileSync(marker, 'utf8')).toBe('kept');
    } finally {
      await srv.close();
    }
  });

  it('fails clearly on HTTP errors after bounded retries, and on a bad base URL', async () => {
    const missing = PINNED_SCHEMA_FILES[1] as PinnedSchemaFile;
    let flaky = 0;
    const srv = await serve((f) =>
      f === missing ? 404 : f === PINNED_SCHEMA_FILES[2] && flaky++ < 1 ? 503 : undefined,
    );
    try {
      const dest = join(mkdtempSync(join(tmpdir(), 'schemas-')), 'cache');
      const err = await fetchPinnedSchemas({ dest, baseUrl: srv.base, files: PINNED_SCHEMA_FILES.slice(0, 3) }).catch(
        (e: unknown) => e,
      );
      expect((err as Error).message).toMatch(
        /^1 of 3 files failed; nothing written:\n {2}crds\/\S+: http:\/\/127\.0\.0\.1:\d+\/\S+: HTTP 404$/,
      );
      expect(flaky).toBe(2); // one 503, retried once with success
      expect(existsSync(dest)).toBe(false);
      // nothing listens on the port of a closed server: stop at the first file, say why
      const closed = await serve();
      await closed.close();
      const started = Date.now();
      await expect(fetchPinnedSchemas({ dest, baseUrl: closed.base, attempts: 2 })).rejects.toThrow(
        /^cannot download crds\/\S+; nothing written: http:\/\/127\.0\.0\.1:\d+\/\S+: fetch failed \(ECONNREFUSED\)$/,
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(existsSync(dest)).toBe(false);
      await expect(fetchPinnedSchemas({ dest, baseUrl: 'ftp://x' })).rejects.toThrow(
        'base URL: got "ftp://x"; expected an http(s) URL',
      );
    } finally {
      await srv.close();
    }
  });
});
