import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userSchemasCacheDir } from '../schemas/cache-dir';
import { readSchemaPins } from '../schemas/pins';
import { formatSourcesTsv, sha256 } from '../schemas/verify';
import { schemaPinsFixture, writeSchemasDir } from '../testing/schema-pins-fixture';
import { findSchemas, resolveSchemasDir } from './schemas-dir';

function schemasLike(dir: string): string {
  mkdirSync(join(dir, 'kubernetes'), { recursive: true });
  mkdirSync(join(dir, 'crds'), { recursive: true });
  return dir;
}

describe('resolveSchemasDir', () => {
  const base = mkdtempSync(join(tmpdir(), 'schemas-dir-'));
  const fx = schemaPinsFixture(base);
  const pins = fx.pins;
  const flag = schemasLike(join(base, 'flag'));
  const fromEnv = schemasLike(join(base, 'env'));
  const repo = join(base, 'ws', 'repo');
  mkdirSync(repo, { recursive: true });
  const shared = writeSchemasDir(join(base, 'ws', 'shared', 'schemas'), fx);
  const xdg = join(base, 'xdg');
  const env = { ...fx.env, XDG_CACHE_HOME: xdg };
  const cache = schemasLike(userSchemasCacheDir(env, pins));
  const empty = join(base, 'empty');
  mkdirSync(empty);

  it('prefers the flag, then PLATFORM_SCHEMAS_DIR, then a ../shared/schemas matching the pins, then the user cache', () => {
    expect(cache).toBe(join(xdg, 'metrics-platform', 'schemas', pins.id));
    expect(
      resolveSchemasDir({ schemasDir: flag, repoRoot: repo, env: { ...env, PLATFORM_SCHEMAS_DIR: fromEnv }, pins }),
    ).toBe(flag);
    expect(resolveSchemasDir({ repoRoot: repo, env: { ...env, PLATFORM_SCHEMAS_DIR: fromEnv }, pins })).toBe(fromEnv);
    expect(findSchemas({ repoRoot: repo, env, pins })).toEqual({ dir: shared, notes: [] });
    expect(resolveSchemasDir({ repoRoot: empty, env, pins })).toBe(cache);
  });

  it('passes over a shared copy for other pins, with a note naming the first difference', () => {
    const ws = join(base, 'other');
    const otherRepo = join(ws, 'repo');
    mkdirSync(otherRepo, { recursive: true });
    const other = join(ws, 'shared', 'schemas');
    // an older module version's file: not the one the engine pins
    writeSchemasDir(other, fx, { 'crds/example.io_widgets.yaml': 'kind: CustomResourceDefinition # v1.2.2\n' });
    expect(findSchemas({ repoRoot: otherRepo, env, pins })).toEqual({
      dir: cache,
      notes: [
        `${other} does not match the pins (crds/example.io_widgets.yaml: differs from crds/widgets.yaml of ` +
          'example.com/Upstream/schemas@v1.2.3 (engines/fake)): not used',
      ],
    });
    // a GitHub-pinned file with another sum; a missing file (a shared copy named for another Kubernetes version)
    writeSchemasDir(other, fx, { 'crds/github.io_things.yaml': 'tampered\n' });
    expect(findSchemas({ repoRoot: otherRepo, env, pins }).notes[0]).toContain(
      `crds/github.io_things.yaml: sha256 ${sha256('tampered\n')}, expected ${pins.github[0]?.sha256} (pinned owner/things@`,
    );
    const renamed = join(base, 'renamed');
    writeSchemasDir(join(renamed, 'shared', 'schemas'), fx, { 'kubernetes/v1.2.3-definitions.json': null });
    mkdirSync(join(renamed, 'repo'));
    const none = { ...fx.env, XDG_CACHE_HOME: join(base, 'no-cache') };
    expect(() => findSchemas({ repoRoot: join(renamed, 'repo'), env: none, pins })).toThrow(
      /^no pinned schemas found \(looked in .*renamed\/shared\/schemas \(does not match the pins\), .*no-cache.*\); run `npm run schemas:fetch`/,
    );
  });

  it('checks module files against SOURCES.tsv when the module cache does not hold the module', () => {
    const noModCache = { ...env, GOMODCACHE: join(base, 'empty-modcache') };
    const ws = join(base, 'recorded');
    mkdirSync(join(ws, 'repo'), { recursive: true });
    const dir = writeSchemasDir(join(ws, 'shared', 'schemas'), fx);
    const m = pins.modules[0]!;
    const rows = m.files.map((f) => ({
      file: f.file,
      repository: m.module,
      ref: m.version,
      path: f.path,
      commit: m.sum,
      sha256: sha256(fx.expected.get(f.file)!),
    }));
    const opts = { repoRoot: join(ws, 'repo'), env: noModCache, pins, memo: false };
    expect(findSchemas(opts).notes[0]).toContain(
      'the module is not in the module cache and SOURCES.tsv records no such origin for it',
    );
    writeFileSync(join(dir, 'SOURCES.tsv'), formatSourcesTsv(rows));
    expect(findSchemas(opts)).toEqual({ dir, notes: [] });
    // recorded for another go.sum hash (another module content): not trusted
    writeFileSync(join(dir, 'SOURCES.tsv'), formatSourcesTsv(rows.map((r) => ({ ...r, commit: 'h1:other=' }))));
    expect(findSchemas(opts).dir).toBe(cache);
  });

  it('remembers a matching shared copy by file stats, and a changed file is checked again', () => {
    const ws = join(base, 'memo');
    mkdirSync(join(ws, 'repo'), { recursive: true });
    const dir = writeSchemasDir(join(ws, 'shared', 'schemas'), fx);
    const memoEnv = { ...env, XDG_CACHE_HOME: join(base, 'memo-xdg') };
    const opts = { repoRoot: join(ws, 'repo'), env: memoEnv, pins };
    schemasLike(userSchemasCacheDir(memoEnv, pins));
    expect(findSchemas(opts).dir).toBe(dir);
    expect(readdirSync(join(base, 'memo-xdg', 'metrics-platform', 'schemas', 'verified'))).toHaveLength(1);
    expect(findSchemas(opts).dir).toBe(dir);
    writeFileSync(join(dir, 'crds/example.io_widgets.yaml'), 'kind: Changed\n');
    expect(findSchemas(opts).notes[0]).toContain('crds/example.io_widgets.yaml: differs from');
  });

  it('fails in one line when an engine does not pin a schema module', () => {
    const root = join(base, 'unpinned');
    mkdirSync(join(root, 'engines', 'fake'), { recursive: true });
    writeFileSync(join(root, 'engines', 'fake', 'go.mod'), 'module example.com/engines/fake\n\ngo 1.26\n');
    expect(() =>
      readSchemaPins({ root, modules: [{ engine: 'fake', module: 'example.com/m', label: 'm', files: [] }] }),
    ).toThrow('engines/fake/go.mod: expected a require of example.com/m; found none');
    writeFileSync(join(root, 'engines', 'fake', 'go.mod'), 'module x\n\nrequire example.com/m v1.0.0\n');
    writeFileSync(join(root, 'engines', 'fake', 'go.sum'), 'example.com/m v1.0.0/go.mod h1:x=\n');
    expect(() =>
      readSchemaPins({ root, modules: [{ engine: 'fake', module: 'example.com/m', label: 'm', files: [] }] }),
    ).toThrow('engines/fake/go.sum: expected an h1: line for example.com/m v1.0.0; found none');
  });

  it('fails naming the location and how to get the schemas', () => {
    expect(() => resolveSchemasDir({ repoRoot: empty, env: { XDG_CACHE_HOME: join(base, 'none') }, pins })).toThrow(
      /no pinned schemas found \(looked in .*empty\/\.\.\/shared\/schemas|no pinned schemas found .*; run `npm run schemas:fetch`/,
    );
    expect(() => resolveSchemasDir({ schemasDir: empty, pins })).toThrow(
      `--schemas: got ${JSON.stringify(empty)}; expected a directory with kubernetes/ and crds/ in it; run \`npm run schemas:fetch\``,
    );
    expect(() => resolveSchemasDir({ env: { PLATFORM_SCHEMAS_DIR: join(base, 'nope') }, pins })).toThrow(
      /^PLATFORM_SCHEMAS_DIR: got ".*nope", which is not a directory/,
    );
  });
});
