import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userSchemasCacheDir } from '../schemas/cache-dir';
import { resolveSchemasDir } from '../validate/schemas-dir';
import { composeSpecSchemaPath, REPO_ROOT } from './repo-files';

describe('composeSpecSchemaPath', () => {
  it('reads the schemas directory platform validate reads, not ../shared/schemas regardless of the pins', () => {
    const home = mkdtempSync(join(tmpdir(), 'compose-schema-'));
    const env = { HOME: home, XDG_CACHE_HOME: home };
    const cache = userSchemasCacheDir(env);
    for (const d of ['kubernetes', 'crds', 'compose']) mkdirSync(join(cache, d), { recursive: true });
    writeFileSync(join(cache, 'compose', 'compose-spec.json'), '{}');
    const dir = resolveSchemasDir({ env, repoRoot: REPO_ROOT });
    expect(composeSpecSchemaPath(env)).toBe(join(dir, 'compose', 'compose-spec.json'));
  });

  it('says where it looked when the schemas directory has no compose schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-schema-'));
    for (const d of ['kubernetes', 'crds']) mkdirSync(join(dir, d));
    expect(() => composeSpecSchemaPath({ PLATFORM_SCHEMAS_DIR: dir })).toThrow(
      `compose-spec.json not found at ${join(dir, 'compose', 'compose-spec.json')}; expected compose/compose-spec.json in the schemas directory`,
    );
  });
});
