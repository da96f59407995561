import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PINNED_SCHEMAS_ID } from '../schemas/manifest';
import { resolveSchemasDir } from './schemas-dir';

function schemasLike(dir: string): string {
  mkdirSync(join(dir, 'kubernetes'), { recursive: true });
  mkdirSync(join(dir, 'crds'), { recursive: true });
  return dir;
}

describe('resolveSchemasDir', () => {
  const base = mkdtempSync(join(tmpdir(), 'schemas-dir-'));
  const flag = schemasLike(join(base, 'flag'));
  const fromEnv = schemasLike(join(base, 'env'));
  const repo = join(base, 'ws', 'repo');
  mkdirSync(repo, { recursive: true });
  const shared = schemasLike(join(base, 'ws', 'shared', 'schemas'));
  const xdg = join(base, 'xdg');
  const cache = schemasLike(join(xdg, 'metrics-platform', 'schemas', PINNED_SCHEMAS_ID));
  const empty = join(base, 'empty');
  mkdirSync(empty);

  it('prefers the flag, then PLATFORM_SCHEMAS_DIR, then ../shared/schemas, then the user cache', () => {
    const env = { PLATFORM_SCHEMAS_DIR: fromEnv, XDG_CACHE_HOME: xdg };
    expect(resolveSchemasDir({ schemasDir: flag, repoRoot: repo, env })).toBe(flag);
    expect(resolveSchemasDir({ repoRoot: repo, env })).toBe(fromEnv);
    expect(resolveSchemasDir({ repoRoot: repo, env: { XDG_CACHE_HOME: xdg } })).toBe(shared);
    expect(resolveSchemasDir({ repoRoot: empty, env: { XDG_CACHE_HOME: xdg } })).toBe(cache);
  });

  it('fails naming the location and how to get the schemas', () => {
    expect(() => resolveSchemasDir({ repoRoot: empty, env: { XDG_CACHE_HOME: join(base, 'none') } })).toThrow(
      /no pinned schemas found \(looked in .*empty\/\.\.\/shared\/schemas|no pinned schemas found .*; run `npm run schemas:fetch`/,
    );
    expect(() => resolveSchemasDir({ schemasDir: empty })).toThrow(
      `--schemas: got ${JSON.stringify(empty)}; expected a directory with kubernetes/ and crds/ in it; run \`npm run schemas:fetch\``,
    );
    expect(() => resolveSchemasDir({ env: { PLATFORM_SCHEMAS_DIR: join(base, 'nope') } })).toThrow(
      /^PLATFORM_SCHEMAS_DIR: got ".*nope", which is not a directory/,
    );
  });
});
