import { Testing } from 'cdk8s';
import { repositoryXrd, clusterAddonsXrd, registryReplicationXrd, registryReplicationGrantXrd } from './xrd';
import { RegistryReplicationXr, type RegistryReplicationXrProps } from './registry-replication-xr';
import { RegistryReplicationGrantXr, type RegistryReplicationGrantXrProps } from './registry-replication-grant-xr';
import { registryReplicationFields, type RegistryReplicationSpec } from './xr/registry-replication-fields';
import { registryReplicationGrantFields, type RegistryReplicationGrantSpec } from './xr/registry-replication-grant-fields';
import { RepositoryXr, type RepositoryXrProps } from './repository-xr';
import { ClusterAddonsXr, type ClusterAddonsXrProps } from './cluster-addons-xr';
import { leafPaths, type Field, type Fields, type SpecOf } from './xr/fields';
import { repositoryFields, type RepositorySpec } from './xr/repository-fields';
import { clusterAddonsFields, type ClusterAddonsSpec } from './xr/cluster-addons-fields';

/**
 * The XRD schema and the construct both come from one field tree. These tests fail when either side changes
 * alone: a property added to the XRD by hand, a field the construct drops or renames, a props type that stops
 * being the one derived from the tree.
 */

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// Type-level: the construct props ARE the types derived from the field trees (tsc -b fails otherwise).
const repositoryPropsDerived: Equals<RepositoryXrProps['spec'], SpecOf<typeof repositoryFields>> = true;
const addonsPropsDerived: Equals<ClusterAddonsXrProps['spec'], SpecOf<typeof clusterAddonsFields>> = true;
const replicationPropsDerived: Equals<RegistryReplicationXrProps['spec'], SpecOf<typeof registryReplicationFields>> = true;
const grantPropsDerived: Equals<RegistryReplicationGrantXrProps['spec'], SpecOf<typeof registryReplicationGrantFields>> = true;

/** Every field set, optional ones included (the type forces every leaf the tree defines to be present). */
type DeepRequired<T> = { [K in keyof T]-?: T[K] extends readonly (infer I)[] ? readonly I[] : T[K] extends object ? DeepRequired<T[K]> : T[K] };
const fullRepository: DeepRequired<RepositorySpec> = {
  region: 'eu-west-1',
  awsAccountId: '111111111111',
  repositoryName: 'team/metrics-app',
  github: { repository: 'example-org/metrics-platform', environment: 'ecr-dev', workflow: '.github/workflows/release.yml', allowedRefs: ['refs/heads/main', 'refs/tags/v*'] },
  pushRoleName: 'dev-ecr-push-team-metrics-app',
  lifecycle: { untaggedExpiryDays: 3, keepReleases: 20 },
  encryption: { keyDeletionWindowDays: 14 },
  deletionPolicy: 'Orphan',
};
const version = { version: 'v1.0.0-eksbuild.1' };
const fullAddons: DeepRequired<ClusterAddonsSpec> = {
  region: 'eu-west-1',
  awsAccountId: '111111111111',
  clusterName: 'metrics-dev',
  addons: { vpcCni: version, coredns: version, kubeProxy: version, podIdentityAgent: version, ebsCsiDriver: version },
  resolveConflictsOnCreate: 'OVERWRITE',
  resolveConflictsOnUpdate: 'PRESERVE',
  deletionPolicy: 'Delete',
};
const fullReplication: DeepRequired<RegistryReplicationSpec> = {
  region: 'eu-west-1',
  awsAccountId: '111111111111',
  destinations: [{ registryId: '222222222222', region: 'eu-west-1' }],
  repositoryFilters: [{ filter: 'metrics-app', filterType: 'PREFIX_MATCH' }],
  deletionPolicy: 'Delete',
};
const fullGrant: DeepRequired<RegistryReplicationGrantSpec> = {
  region: 'eu-west-1',
  awsAccountId: '222222222222',
  sourceAccountId: '111111111111',
  repositoryNames: ['metrics-app'],
  checkRole: {
    name: 'staging-ecr-promote-check',
    github: { repository: 'example-org/metrics-platform', environment: 'promote-staging', workflow: '.github/workflows/promote.yml', allowedRefs: ['refs/heads/main'] },
  },
  deletionPolicy: 'Orphan',
};

/** The field at a dotted path of a field tree (`destinations[].region`: into the items of a list of objects). */
function fieldAt(fields: Fields, path: string): Field {
  const [head, ...rest] = path.split('.');
  const list = head!.endsWith('[]');
  const f = fields[list ? head!.slice(0, -2) : head!];
  if (!f) throw new Error(`no field ${path}`);
  const inner = list && f.type === 'array' ? f.items : f;
  return rest.length === 0 ? inner : fieldAt(inner.type === 'object' ? inner.properties : {}, rest.join('.'));
}

/** Leaf paths of an OpenAPI object schema (`github.allowedRefs`). */
function schemaLeaves(schema: { properties?: Record<string, unknown> }, prefix = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    const s = v as { type?: string; properties?: Record<string, unknown>; items?: { type?: string; properties?: Record<string, unknown> } };
    if (s.type === 'array' && s.items?.type === 'object') return schemaLeaves(s.items, `${p}[]`);
    return s.type === 'object' && s.properties ? schemaLeaves(s, p) : [p];
  });
}

/** Leaf paths of a value (`github.allowedRefs`; arrays are leaves, but lists of objects have `list[].field` leaves). */
function valueLeaves(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === 'object')) {
    return [...new Set(value.flatMap((v) => valueLeaves(v, `${prefix}[]`)))];
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => valueLeaves(v, prefix ? `${prefix}.${k}` : k));
}

const xrdSpecSchema = (xrd: Record<string, unknown>) =>
  (xrd as { spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties?: Record<string, unknown> } } } } }[] } }).spec.versions[0]!.schema
    .openAPIV3Schema.properties.spec;

describe.each([
  ['Repository', repositoryFields, repositoryXrd, (s: unknown) => new RepositoryXr(Testing.chart(), 'xr', { name: 'x', namespace: 'ns', spec: s as RepositorySpec }), fullRepository],
  ['ClusterAddons', clusterAddonsFields, clusterAddonsXrd, (s: unknown) => new ClusterAddonsXr(Testing.chart(), 'xr', { name: 'x', namespace: 'ns', spec: s as ClusterAddonsSpec }), fullAddons],
  ['RegistryReplication', registryReplicationFields, registryReplicationXrd, (s: unknown) => new RegistryReplicationXr(Testing.chart(), 'xr', { name: 'x', namespace: 'ns', spec: s as RegistryReplicationSpec }), fullReplication],
  ['RegistryReplicationGrant', registryReplicationGrantFields, registryReplicationGrantXrd, (s: unknown) => new RegistryReplicationGrantXr(Testing.chart(), 'xr', { name: 'x', namespace: 'ns', spec: s as RegistryReplicationGrantSpec }), fullGrant],
] as const)('%s: one definition', (_kind, fields: Fields, xrd, construct, full) => {
  it('the XRD schema has exactly the fields of the field tree', () => {
    expect(schemaLeaves(xrdSpecSchema(xrd())).sort()).toEqual(leafPaths(fields).sort());
  });

  it('the construct renders exactly the fields of the field tree (all set) and the XRD schema', () => {
    const spec = (construct(full).apiObject.toJson() as { spec: unknown }).spec;
    expect(valueLeaves(spec).sort()).toEqual(leafPaths(fields).sort());
    expect(valueLeaves(spec).sort()).toEqual(schemaLeaves(xrdSpecSchema(xrd())).sort());
    expect(spec).toEqual(full);
  });

  it('the XRD carries the descriptions, defaults and enums of the field tree', () => {
    const schema = JSON.stringify(xrdSpecSchema(xrd()));
    for (const path of leafPaths(fields)) {
      expect(schema).toContain(JSON.stringify(fieldAt(fields, path).description));
    }
  });
});

describe('type-level checks of the props', () => {
  it('reject unknown fields and values outside an enum at compile time, and at run time', () => {
    expect(repositoryPropsDerived && addonsPropsDerived && replicationPropsDerived && grantPropsDerived).toBe(true);
    const bad: RepositorySpec = {
      ...fullRepository,
      // @ts-expect-error -- not one of Delete, Orphan
      deletionPolicy: 'Remove',
    };
    expect(() => new RepositoryXr(Testing.chart(), 'xr', { name: 'x', namespace: 'ns', spec: bad })).toThrow(
      'spec.deletionPolicy: got "Remove"; expected one of "Delete", "Orphan"',
    );
    const unknown: RepositorySpec = {
      ...fullRepository,
      // @ts-expect-error -- no such field
      tagMutability: 'MUTABLE',
    };
    expect(() => new RepositoryXr(Testing.chart(), 'xr', { name: 'x', namespace: 'ns', spec: unknown })).toThrow('spec.tagMutability: got unknown field "tagMutability"');
  });
});
