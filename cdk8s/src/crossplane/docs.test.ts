import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterAddonsFields, clusterAddonsStatusFields } from './xr/cluster-addons-fields';
import { leafPaths, type Field, type Fields } from './xr/fields';
import { repositoryFields, repositoryStatusFields } from './xr/repository-fields';
import { registryReplicationFields, registryReplicationStatusFields } from './xr/registry-replication-fields';
import { registryReplicationGrantFields, registryReplicationGrantStatusFields } from './xr/registry-replication-grant-fields';
import { SyncWave } from '../sync-waves';

/** docs/crossplane.md documents every field of the API with its default, and the sync waves as the table says. */

const docs = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'crossplane.md'), 'utf8');

function fieldAt(fields: Fields, path: string): Field {
  const [head, ...rest] = path.split('.');
  const list = head!.endsWith('[]');
  const f = fields[list ? head!.slice(0, -2) : head!]!;
  const inner = list && f.type === 'array' ? f.items : f;
  return rest.length === 0 ? inner : fieldAt(inner.type === 'object' ? inner.properties : {}, rest.join('.'));
}

describe.each([
  ['Repository', repositoryFields, repositoryStatusFields],
  ['ClusterAddons', clusterAddonsFields, clusterAddonsStatusFields],
  ['RegistryReplication', registryReplicationFields, registryReplicationStatusFields],
  ['RegistryReplicationGrant', registryReplicationGrantFields, registryReplicationGrantStatusFields],
] as const)('docs/crossplane.md, %s', (_kind, spec: Fields, status: Fields) => {
  it('has a row for every spec field, showing its default', () => {
    for (const path of leafPaths(spec)) {
      const row = docs.split('\n').find((l) => l.startsWith(`| \`spec.${path}\` |`));
      expect({ path, documented: row !== undefined }).toEqual({ path, documented: true });
      const f = fieldAt(spec, path);
      const dflt = f.type === 'string' || f.type === 'integer' || f.type === 'boolean' ? f.default : undefined;
      expect({ path, row }).toEqual({ path, row: expect.stringContaining(dflt === undefined ? 'required' : `\`${String(dflt)}\``) });
    }
  });

  it('names every status field', () => {
    for (const path of leafPaths(status)) expect(docs).toContain(`\`status.${path}\``);
  });
});

it('docs/crossplane.md shows the sync waves of the table', () => {
  for (const w of Object.values(SyncWave)) {
    expect(docs).toMatch(new RegExp(`^\\| ${w} \\|`, 'm'));
  }
});
