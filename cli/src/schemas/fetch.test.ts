import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSchemasDir } from '../validate/schemas-dir';
import { ENGINE_MODULES } from '../engines/modules';
import { schemaPinsFixture } from '../testing/schema-pins-fixture';
import { fetchPinnedSchemas, isComplete, SchemaFetchError, sha256, urlFor } from './fetch';
import { goModDownloader, GoModuleError } from './go-module';
import { PINNED_SCHEMA_FILES, SCHEMA_MODULES, type PinnedSchemaFile } from './manifest';
import { goSumHash, readSchemaPins, requiredVersion } from './pins';
import { checkAgainstPins, readSourcesTsv } from './verify';

const source = resolveSchemasDir();
/** The GitHub-pinned part alone: these tests serve it on 127.0.0.1 and need no Go. */
const githubOnly = (files: readonly PinnedSchemaFile[] = PINNED_SCHEMA_FILES) => ({
  ...readSchemaPins(),
  modules: [],
  github: files,
});

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

/** Serves fixed paths on 127.0.0.1. */
function serveMap(files: ReadonlyMap<string, string>) {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200).end(body);
  });
  return new Promise<{ base: string; requests: string[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ base: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

describe('platform schemas fetch', () => {
  it("validates with schemas that match the pins: modules at the engines' versions, GitHub files by sum", () => {
    const pins = readSchemaPins();
    expect(checkAgainstPins(source, pins)).toBeUndefined();
    const k8s = pins.modules.find((m) => m.module === 'k8s.io/kubernetes');
    const goMod = readFileSync(join(__dirname, '../../../engines/kube/go.mod'), 'utf8');
    expect(k8s?.version).toBe(requiredVersion(goMod, 'k8s.io/kubernetes'));
    expect(k8s?.files.map((f) => f.file)).toEqual([`kubernetes/${k8s?.version}-definitions.json`]);
    expect(pins.id).toContain(`k8s-${k8s?.version.slice(1)}_`);
  });

  it('reads every schema module from an engine that downloads that module', () => {
    for (const m of SCHEMA_MODULES) {
      expect({ m: m.module, downloads: ENGINE_MODULES.find((e) => e.dir === m.engine)?.downloads }).toEqual({
        m: m.module,
        downloads: expect.arrayContaining([m.module]),
      });
    }
    const files = [
      ...PINNED_SCHEMA_FILES.map((f) => f.file),
      ...SCHEMA_MODULES.flatMap((m) => m.files.map((f) => f.file)),
    ];
    expect(new Set(files).size).toBe(files.length);
  });

  it('reads go.mod requirements and go.sum content hashes', () => {
    const goMod =
      'module x\n\nrequire a.io/one v1.0.0\nrequire (\n\tb.io/two v2.1.0 // indirect\n\tc.io/three v0.3.0\n)\n';
    expect(['a.io/one', 'b.io/two', 'c.io/three', 'x', 'd.io/four'].map((m) => requiredVersion(goMod, m))).toEqual([
      'v1.0.0',
      'v2.1.0',
      'v0.3.0',
      undefined,
      undefined,
    ]);
    const goSum = 'a.io/one v1.0.0/go.mod h1:mod=\na.io/one v1.0.0 h1:zip=\n';
    expect(goSumHash(goSum, 'a.io/one', 'v1.0.0')).toBe('h1:zip=');
    expect(goSumHash(goSum, 'a.io/one', 'v1.0.1')).toBeUndefined();
  });

  it('reads module-pinned files from the directory go reports, records their origin, and skips a complete cache', async () => {
    const fx = schemaPinsFixture(mkdtempSync(join(tmpdir(), 'schemas-mod-')));
    const srv = await serveMap(fx.served);
    try {
      const dest = join(mkdtempSync(join(tmpdir(), 'schemas-')), 'cache');
      const opts = {
        dest,
        baseUrl: srv.base,
        pins: fx.pins,
        root: fx.root,
        downloadModule: fx.downloadModule,
        env: fx.env,
      };
      expect(await fetchPinnedSchemas(opts)).toEqual({ dest, downloaded: 3, fromModules: 2, local: 0 });
      for (const [file, content] of fx.expected) expect(readFileSync(join(dest, file), 'utf8')).toBe(content);
      const m = fx.pins.modules[0]!;
      expect(readSourcesTsv(dest).get('kubernetes/v1.2.3-definitions.json')).toEqual({
        file: 'kubernetes/v1.2.3-definitions.json',
        repository: 'example.com/Upstream/schemas',
        ref: 'v1.2.3',
        path: 'api/swagger.json',
        commit: m.sum,
        sha256: sha256(fx.expected.get('kubernetes/v1.2.3-definitions.json')!),
      });
      expect(isComplete(dest, fx.pins, fx.env)).toBe(true);
      // complete even where the module cache is gone: SOURCES.tsv ties each file to the go.sum hash
      expect(isComplete(dest, fx.pins, { GOMODCACHE: join(dest, 'none') })).toBe(true);
      expect(await fetchPinnedSchemas(opts)).toEqual({ dest, downloaded: 0, fromModules: 0, local: 0 });
      expect(fx.downloadModule.calls).toBe(1);
      expect(srv.requests).toHaveLength(1);
    } finally {
      await srv.close();
    }
  });

  it('copies GitHub-pinned files with the pinned sum from a local source instead of downloading them', async () => {
    const base = mkdtempSync(join(tmpdir(), 'schemas-local-'));
    const fx = schemaPinsFixture(base);
    const local = join(base, 'shared');
    mkdirSync(join(local, 'crds'), { recursive: true });
    writeFileSync(join(local, 'crds/github.io_things.yaml'), fx.expected.get('crds/github.io_things.yaml')!);
    const dest = join(base, 'cache');
    const r = await fetchPinnedSchemas({
      dest,
      baseUrl: 'http://127.0.0.1:9', // nothing listens: a download would fail
      pins: fx.pins,
      root: fx.root,
      downloadModule: fx.downloadModule,
      localSources: [join(base, 'missing'), local],
    });
    expect(r).toEqual({ dest, downloaded: 3, fromModules: 2, local: 1 });
    expect(isComplete(dest, fx.pins, fx.env)).toBe(true);
  });

  it('writes nothing when go reports another version or content hash than go.mod and go.sum pin', async () => {
    const fx = schemaPinsFixture(mkdtempSync(join(tmpdir(), 'schemas-mod-')));
    const dest = join(mkdtempSync(join(tmpdir(), 'schemas-')), 'cache');
    const other = async () => ({ ...fx.module, version: 'v1.2.4' });
    await expect(fetchPinnedSchemas({ dest, pins: fx.pins, root: fx.root, downloadModule: other })).rejects.toThrow(
      `go mod download example.com/Upstream/schemas in engines/fake: got v1.2.4 ${fx.module.sum}; expected v1.2.3 ${fx.module.sum} (go.mod and go.sum); nothing written`,
    );
    expect(existsSync(dest)).toBe(false);
  });

  it('without Go, fails in one line naming what is missing and the ways out', async () => {
    const base = mkdtempSync(join(tmpdir(), 'schemas-nogo-'));
    const fx = schemaPinsFixture(base);
    const dest = join(base, 'cache');
    const noGo = { PATH: join(base, 'empty-bin'), HOME: base };
    const err = await fetchPinnedSchemas({ dest, pins: fx.pins, root: fx.root, env: noGo }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaFetchError);
    expect((err as Error).message).toBe(
      'go: not found on PATH; the pinned schemas of example.com/Upstream/schemas are read from the Go module ' +
        'engines/ pins; set PLATFORM_SCHEMAS_DIR to a schemas directory, put one matching the pins at ' +
        '../shared/schemas (`platform schemas fetch --dest DIR` on a machine with Go makes one), or install Go 1.26 ' +
        'or later; nothing written',
    );
    expect(existsSync(dest)).toBe(false);
  });

  it('runs go mod download -json in the engine directory with -mod=readonly and a local toolchain', async () => {
    const base = mkdtempSync(join(tmpdir(), 'schemas-fakego-'));
    const fx = schemaPinsFixture(base);
    const bin = join(base, 'bin');
    mkdirSync(bin);
    // a stand-in go: records its arguments, directory and settings, answers like go mod download -json
    const json = JSON.stringify({ Path: fx.module.path, Version: 'v1.2.3', Sum: fx.module.sum, Dir: fx.moduleDir });
    writeFileSync(
      join(bin, 'go'),
      `#!/bin/sh\nif [ "$1" = env ]; then echo '{"GOPROXY":"off"}'; exit 0; fi\n` +
        `echo "$* | $(pwd) | $GOFLAGS | $GOTOOLCHAIN" > "${join(base, 'called')}"\n` +
        `if [ "$4" = broken ]; then echo 'go: broken@none: malformed module path' >&2; exit 1; fi\necho '${json}'\n`,
    );
    chmodSync(join(bin, 'go'), 0o755);
    const download = goModDownloader({ env: { PATH: bin, GOFLAGS: '-buildvcs=false' } });
    const engineDir = join(fx.root, 'engines', 'fake');
    expect(await download(engineDir, fx.module.path)).toEqual(fx.module);
    expect(readFileSync(join(base, 'called'), 'utf8')).toBe(
      `mod download -json ${fx.module.path} | ${engineDir} | -buildvcs=false -mod=readonly | local\n`,
    );
    const failed = await download(engineDir, 'broken').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(GoModuleError);
    expect((failed as Error).message).toBe(
      `go mod download broken in ${engineDir} failed: go: broken@none: malformed module path`,
    );
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
      const result = await fetchPinnedSchemas({ dest, baseUrl: srv.base, pins: githubOnly() });
      expect(result.downloaded).toBe(PINNED_SCHEMA_FILES.length);
      expect(srv.requests).toHaveLength(PINNED_SCHEMA_FILES.length);
      expect(isComplete(dest, githubOnly())).toBe(true);
      expect(readdirSync(dest).sort()).toEqual(['SOURCES.tsv', 'compose', 'crds']);
      const again = await fetchPinnedSchemas({ dest, baseUrl: srv.base, pins: githubOnly() });
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
      await fetchPinnedSchemas({
        dest,
        baseUrl: srv.base,
        pins: githubOnly([PINNED_SCHEMA_FILES[0] as PinnedSchemaFile]),
      });
      writeFileSync(marker, 'kept');
      const err = await fetchPinnedSchemas({ dest, baseUrl: srv.base, pins: githubOnly() }).catch((e: unknown) => e);
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
      const err = await fetchPinnedSchemas({
        dest,
        baseUrl: srv.base,
        pins: githubOnly(PINNED_SCHEMA_FILES.slice(0, 3)),
      }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(
        /^1 of 3 files failed; nothing written:\n {2}crds\/\S+: http:\/\/127\.0\.0\.1:\d+\/\S+: HTTP 404$/,
      );
      expect(flaky).toBe(2); // one 503, retried once with success
      expect(existsSync(dest)).toBe(false);
      await expect(fetchPinnedSchemas({ dest, baseUrl: 'ftp://x', pins: githubOnly() })).rejects.toThrow(
        'base URL: got "ftp://x"; expected an http(s) URL',
      );
    } finally {
      await srv.close();
    }
  });
});
