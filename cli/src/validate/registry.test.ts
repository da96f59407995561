import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_ENUMS } from './builtin-enums';
import { scanCrdHeader, SchemaRegistry } from './registry';
import { resolveSchemasDir } from './schemas-dir';
import { parseCrdFile } from './crd-json-cache';
import { userCrdJsonCacheDir } from '../schemas/cache-dir';
import { bucket, bucketXrd, compliantEnvironment, edited, type Fixture } from './testdata/fixtures';

const schemasDir = resolveSchemasDir();
const registry = SchemaRegistry.load(schemasDir);
registry.addXrd(bucketXrd());

const deployment = compliantEnvironment().find((o) => o.kind === 'Deployment') as Fixture;
type Dep = {
  spec: { replicas: unknown; template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
};
const container = (d: Fixture): Record<string, unknown> =>
  (d as unknown as Dep).spec.template.spec.containers[0] as Record<string, unknown>;

describe('SchemaRegistry: Kubernetes built-in kinds', () => {
  it('accepts a valid object', () => {
    expect(registry.validate(deployment)).toEqual([]);
  });

  it('reports a misspelled field as unknown, with its path', () => {
    const bad = edited(deployment, (d) => {
      (d as unknown as Dep).spec.template.spec.containerz = [];
    });
    expect(registry.validate(bad)).toEqual([
      { path: 'spec.template.spec.containerz', message: 'unknown field (not in the schema)' },
    ]);
  });

  it('reports a wrong type', () => {
    const bad = edited(deployment, (d) => {
      (d as unknown as Dep).spec.replicas = '2';
    });
    expect(registry.validate(bad)).toEqual([
      { path: 'spec.replicas', message: 'wrong type: got "2"; expected integer' },
    ]);
  });

  it('reports a value outside an enum', () => {
    const bad = edited(deployment, (d) => {
      container(d).imagePullPolicy = 'Sometimes';
    });
    expect(registry.validate(bad)).toEqual([
      {
        path: 'spec.template.spec.containers[0].imagePullPolicy',
        message: 'got "Sometimes"; expected one of "Always", "Never", "IfNotPresent"',
      },
    ]);
  });

  it('reports a malformed quantity and accepts well-formed ones', () => {
    const bad = edited(deployment, (d) => {
      (container(d).resources as { limits: Record<string, unknown> }).limits = { cpu: '1.5x', memory: 128974848 };
    });
    expect(registry.validate(bad)).toEqual([
      {
        path: 'spec.template.spec.containers[0].resources.limits.cpu',
        message: expect.stringContaining('invalid quantity "1.5x"') as string,
      },
    ]);
  });

  it('reports a missing required field and duplicate list-map keys', () => {
    const bad = edited(deployment, (d) => {
      const c = container(d);
      delete c.name;
      (d as unknown as Dep).spec.template.spec.containers.push(
        { ...structuredClone(c), name: 'x' },
        { ...structuredClone(c), name: 'x' },
      );
    });
    const problems = registry.validate(bad);
    expect(problems).toContainEqual({
      path: 'spec.template.spec.containers[0].name',
      message: 'required field is missing',
    });
    expect(problems).toContainEqual({
      path: 'spec.template.spec.containers[2]',
      message: 'duplicate key (name) = ["x"]: same as [1]',
    });
  });

  it('accepts int-or-string ports and rejects other types', () => {
    const bad = edited(deployment, (d) => {
      container(d).readinessProbe = { httpGet: { path: '/', port: true } };
    });
    expect(registry.validate(bad)).toEqual([
      {
        path: 'spec.template.spec.containers[0].readinessProbe.httpGet.port',
        message: 'wrong type: got boolean true; expected an integer or a string',
      },
    ]);
  });

  it('every built-in enum in the reviewed table names a real field', () => {
    // the one definitions file of the pinned Kubernetes version, whatever it is
    const [file] = readdirSync(join(schemasDir, 'kubernetes')).filter((f) => f.endsWith('definitions.json'));
    const defs = (
      JSON.parse(readFileSync(join(schemasDir, 'kubernetes', file as string), 'utf8')) as {
        definitions: Record<string, { properties?: Record<string, { type?: string }> }>;
      }
    ).definitions;
    for (const [def, fields] of Object.entries(BUILTIN_ENUMS)) {
      for (const field of Object.keys(fields)) {
        const prop = defs[def]?.properties?.[field.replace(/\[\]$/, '')];
        expect({ def, field, type: prop?.type }).toEqual({
          def,
          field,
          type: field.endsWith('[]') ? 'array' : 'string',
        });
      }
    }
  });

  it('knows scopes and reports unknown kinds', () => {
    expect(registry.isNamespaced('apps/v1', 'Deployment')).toBe(true);
    expect(registry.isNamespaced('v1', 'Namespace')).toBe(false);
    expect(registry.isNamespaced('storage.k8s.io/v1', 'StorageClass')).toBe(false);
    expect(registry.isNamespaced('example.org/v1', 'Nope')).toBeUndefined();
    expect(registry.validate({ apiVersion: 'apps/v2', kind: 'Deployment' })).toEqual([
      { path: '', message: expect.stringContaining('unknown kind Deployment in apps/v2') as string },
    ]);
    expect(registry.validate({ kind: 'Deployment' })).toEqual([
      { path: 'apiVersion', message: 'required: got nothing; expected a string' },
    ]);
  });
});

describe('SchemaRegistry: pinned CRDs', () => {
  it('indexes every pinned CRD file from its header exactly as a full parse would', () => {
    const dir = join(schemasDir, 'crds');
    for (const f of readdirSync(dir)) {
      const text = readFileSync(join(dir, f), 'utf8');
      // the full parse, as the registry parses a CRD file when one of its kinds is used (cached as JSON by content)
      const crd = parseCrdFile(f, text, userCrdJsonCacheDir())[0] as {
        spec: { group: string; scope: string; names: { kind: string }; versions: { name: string }[] };
      };
      expect({ file: f, header: scanCrdHeader(text) }).toEqual({
        file: f,
        header: {
          group: crd.spec.group,
          kind: crd.spec.names.kind,
          scope: crd.spec.scope,
          versions: crd.spec.versions.map((v) => v.name),
        },
      });
    }
  });

  it('evaluates a real CEL rule: the XRD CRD requires a lower-case plural', () => {
    const xrd = edited(bucketXrd(), (x) => {
      ((x.spec as Fixture).names as Fixture).plural = 'Buckets';
    });
    expect(registry.validate(xrd)).toEqual([
      { path: 'spec.names', message: expect.stringContaining('self.plural == self.plural.lowerAscii()') as string },
    ]);
    expect(registry.validate(bucketXrd())).toEqual([]);
  });

  it('applies CRD defaults before CEL: an ECR RepositoryPolicy without a policy fails the provider rule', () => {
    const policy = {
      apiVersion: 'ecr.aws.m.upbound.io/v1beta1',
      kind: 'RepositoryPolicy',
      metadata: { name: 'p', namespace: 'demo' },
      spec: { forProvider: { region: 'eu-west-1', repository: 'app' } },
    };
    expect(registry.validate(policy)).toEqual([
      { path: 'spec', message: expect.stringContaining('spec.forProvider.policy is a required parameter') as string },
    ]);
    // Observe-only resources need no policy: the rule's managementPolicies guard.
    expect(registry.validate({ ...policy, spec: { ...policy.spec, managementPolicies: ['Observe'] } })).toEqual([]);
    // the defaults were applied to a copy: the caller's object (maybe shared by identical documents) is unchanged
    expect(policy.spec).toEqual({ forProvider: { region: 'eu-west-1', repository: 'app' } });
  });

  it('makes CRD schemas strict and checks metadata as ObjectMeta', () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'a', namespace: 'argocd', labelz: {} },
      spec: {
        project: 'platform',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'x' },
        source: { repoURL: 'https://example.org/r.git', path: 'dist/dev', targetRevision: 'env/dev', directroy: {} },
      },
    };
    expect(registry.validate(app)).toEqual([
      { path: 'metadata.labelz', message: 'unknown field (not in the schema)' },
      { path: 'spec.source.directroy', message: 'unknown field (not in the schema)' },
    ]);
  });

  it('reports a CEL rule it cannot evaluate as a warning naming the rule, and skips transition rules', () => {
    const r = SchemaRegistry.load(schemasDir);
    r.addCrd({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.example.org' },
      spec: {
        group: 'example.org',
        scope: 'Namespaced',
        names: { kind: 'Thing', plural: 'things' },
        versions: [
          {
            name: 'v1',
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  apiVersion: { type: 'string' },
                  kind: { type: 'string' },
                  metadata: { type: 'object' },
                  spec: {
                    type: 'object',
                    properties: {
                      size: { type: 'string' },
                      count: { type: 'integer' },
                      bare: { type: 'object' },
                      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                    },
                    'x-kubernetes-validations': [
                      { rule: "quantity(self.size).isGreaterThan(quantity('1Gi'))" },
                      { rule: 'self == oldSelf', message: 'immutable' },
                      { rule: 'self.count == 3', message: 'count must be 3' },
                    ],
                  },
                },
              },
            },
          },
        ],
      },
    });
    const thing = {
      apiVersion: 'example.org/v1',
      kind: 'Thing',
      metadata: { name: 't', namespace: 'n' },
      spec: { size: '2Gi', count: 2 },
    };
    expect(r.validate(thing)).toEqual([
      {
        path: 'spec',
        message: expect.stringContaining(
          'CEL rule not evaluated (unbound function: isGreaterThan): quantity(self.size)',
        ) as string,
        severity: 'warning',
      },
      { path: 'spec', message: 'count must be 3 (rule: self.count == 3)' },
    ]);
    // a bare object keeps no field on the server (pruned): its fields are unknown; preserve-unknown-fields keeps them
    expect(
      r
        .validate({ ...thing, spec: { size: '2Gi', count: 3, bare: { x: 1 }, free: { y: 2 } } })
        .filter((p) => p.severity !== 'warning'),
    ).toEqual([{ path: 'spec.bare.x', message: 'unknown field (not in the schema)' }]);
    // integers are CEL ints: `self.count == 3` holds for 3
    expect(r.validate({ ...thing, spec: { size: '2Gi', count: 3 } })).toEqual([
      { path: 'spec', message: expect.stringContaining('quantity') as string, severity: 'warning' },
    ]);
  });

  it('can skip required fields for partial objects', () => {
    const partial = {
      apiVersion: 'eks.aws.m.upbound.io/v1beta1',
      kind: 'Addon',
      metadata: { name: 'a', namespace: 'n' },
      spec: { forProvider: {} },
    };
    expect(
      registry
        .validate(partial, { allowMissingRequired: true })
        .filter((p) => p.message === 'required field is missing'),
    ).toEqual([]);
  });
});

describe('SchemaRegistry: XRs against the repo XRD', () => {
  it('accepts a valid XR with the fields Crossplane adds', () => {
    expect(registry.validate(bucket({ region: 'eu-west-1', crossplane: { compositionRef: { name: 'c' } } }))).toEqual(
      [],
    );
    expect(registry.isNamespaced('platform.example.org/v1alpha1', 'Bucket')).toBe(true);
  });

  it('reports an XR that breaks its XRD schema', () => {
    const problems = registry.validate(
      bucket({
        region: 'mars-1',
        retentionDays: 0,
        name: 'x'.repeat(21),
        colour: 'red',
        crossplane: { compositionRef: {} },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'spec.region', message: 'got "mars-1"; expected one of "eu-west-1", "us-east-1"' },
        { path: 'spec.retentionDays', message: 'got 0; expected >= 1' },
        { path: 'spec.name', message: 'name is at most 20 characters (rule: self.size() <= 20)' },
        { path: 'spec.colour', message: 'unknown field (not in the schema)' },
        { path: 'spec.crossplane.compositionRef.name', message: 'required field is missing' },
      ]),
    );
    expect(problems).toHaveLength(5);
    expect(registry.validate(bucket({}))).toEqual([{ path: 'spec.region', message: 'required field is missing' }]);
  });

  it('keeps the kinds of an XRD object added again unchanged, unless another XRD redefined them since', () => {
    const own = SchemaRegistry.load(schemasDir);
    const first = bucketXrd();
    const keys = own.addXrd(first);
    const schema = own.schemaFor('platform.example.org/v1alpha1', 'Bucket');
    expect(own.addXrd(first)).toEqual(keys);
    // the very same schema object: nothing was rebuilt
    expect(own.schemaFor('platform.example.org/v1alpha1', 'Bucket')).toBe(schema);
    const other = edited(bucketXrd(), (x) => {
      (x as { metadata: { name: string } }).metadata.name = 'other';
    });
    own.addXrd(other);
    expect(own.sourceOf('platform.example.org/v1alpha1', 'Bucket')).toBe('XRD other');
    // the first object again: it defines the kind again (the last one added wins, as before)
    expect(own.addXrd(first)).toEqual(keys);
    expect(own.sourceOf('platform.example.org/v1alpha1', 'Bucket')).toBe(
      `XRD ${(first as { metadata: { name: string } }).metadata.name}`,
    );
    expect(own.schemaFor('platform.example.org/v1alpha1', 'Bucket')).not.toBe(schema);
  });

  it('exposes the generated schema', () => {
    const schema = registry.schemaFor('platform.example.org/v1alpha1', 'Bucket') as {
      properties: { spec: { properties: Record<string, unknown> }; status: { properties: Record<string, unknown> } };
    };
    expect(Object.keys(schema.properties.spec.properties).sort()).toEqual([
      'crossplane',
      'name',
      'region',
      'retentionDays',
    ]);
    expect(Object.keys(schema.properties.status.properties).sort()).toEqual(['conditions', 'crossplane', 'url']);
  });
});

describe('SchemaRegistry: the cached index of CRD headers', () => {
  const crd = (kind: string, group = 'example.org'): string =>
    `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${kind.toLowerCase()}s.${group}\nspec:\n  group: ${group}\n  names:\n    kind: ${kind}\n    plural: ${kind.toLowerCase()}s\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n`;

  function schemas(): string {
    const dir = mkdtempSync(join(tmpdir(), 'crd-index-'));
    mkdirSync(join(dir, 'kubernetes'));
    const defs = readdirSync(join(schemasDir, 'kubernetes')).find((f) => f.endsWith('definitions.json')) as string;
    symlinkSync(join(schemasDir, 'kubernetes', defs), join(dir, 'kubernetes', defs));
    mkdirSync(join(dir, 'crds'));
    writeFileSync(join(dir, 'crds', 'widgets.yaml'), crd('Widget'));
    return dir;
  }

  it('is written on the first load and read on the next, until a CRD file changes', () => {
    const dir = schemas();
    const cache = mkdtempSync(join(tmpdir(), 'crd-cache-'));
    expect(SchemaRegistry.load(dir, { crdJsonCache: cache }).has('example.org/v1', 'Widget')).toBe(true);
    const index = readdirSync(cache).filter((f) => f.startsWith('index-'));
    expect(index).toHaveLength(1);
    const indexFile = join(cache, index[0] as string);
    const cached = JSON.parse(readFileSync(indexFile, 'utf8')) as { headers: Record<string, { kind: string }> };
    expect(Object.values(cached.headers)).toEqual([
      { group: 'example.org', kind: 'Widget', scope: 'Namespaced', versions: ['v1'] },
    ]);
    // the next load takes the headers from the index (shown by an index that says otherwise)
    const file = Object.keys(cached.headers)[0] as string;
    writeFileSync(
      indexFile,
      JSON.stringify({ ...cached, headers: { [file]: { ...cached.headers[file], kind: 'Gadget' } } }),
    );
    const fromIndex = SchemaRegistry.load(dir, { crdJsonCache: cache });
    expect(fromIndex.has('example.org/v1', 'Widget')).toBe(false);
    // (a kind is only ever served from the parsed file: looking the indexed one up parses it)
    expect(fromIndex.has('example.org/v1', 'Gadget')).toBe(false);
    expect(fromIndex.has('example.org/v1', 'Widget')).toBe(true);
    expect(fromIndex.sourceOf('example.org/v1', 'Widget')).toBe(file);
    // a changed file is another key: scanned again, never the stale index
    writeFileSync(join(dir, 'crds', 'widgets.yaml'), crd('Sprocket'));
    const changed = SchemaRegistry.load(dir, { crdJsonCache: cache });
    expect(changed.has('example.org/v1', 'Sprocket')).toBe(true);
    expect(changed.sourceOf('example.org/v1', 'Gadget')).toBeUndefined();
    // so is an added file
    writeFileSync(join(dir, 'crds', 'gizmos.yaml'), crd('Gizmo'));
    expect(SchemaRegistry.load(dir, { crdJsonCache: cache }).has('example.org/v1', 'Gizmo')).toBe(true);
  });

  it('ignores a damaged index and works without a cache', () => {
    const dir = schemas();
    const cache = mkdtempSync(join(tmpdir(), 'crd-cache-'));
    SchemaRegistry.load(dir, { crdJsonCache: cache });
    const indexFile = join(cache, readdirSync(cache).find((f) => f.startsWith('index-')) as string);
    for (const damaged of ['{not json', '{"format":1,"headers":{}}', '{"format":0,"headers":null}']) {
      writeFileSync(indexFile, damaged);
      expect(SchemaRegistry.load(dir, { crdJsonCache: cache }).has('example.org/v1', 'Widget')).toBe(true);
    }
    expect(SchemaRegistry.load(dir, { crdJsonCache: false }).has('example.org/v1', 'Widget')).toBe(true);
  });
});
