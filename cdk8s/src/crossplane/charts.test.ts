import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { join } from 'node:path';
import type { EnvironmentConfig } from '../config/environment';
import { loadEnvironment } from '../config/load';
import { AwsResourcesChart, PlatformApiChart } from './charts';
import { yamlData } from '../testing/yaml-data';
import { clusterAddonsXrProps, EnvironmentXrError, pushRoleName, repositoryXrProps } from './environment-xrs';
import { PROVIDERS, FUNCTIONS, PROVIDER_AWS_VERSION } from './packages';
import { SyncWave } from '../sync-waves';
import { RepositoryXr } from './repository-xr';
import { renderCrossplaneDir } from './index';
import { XrPropsError } from './xr/composite-resource';

// The real dev environment, with a repository name that needs sanitising and prod's orphan policy.
const dev = loadEnvironment(join(__dirname, '..', '..', '..'), 'dev');
const env: EnvironmentConfig = {
  ...dev,
  ecr: { repositories: [{ name: 'team/metrics_app', githubRepository: 'example-org/metrics-platform', githubEnvironment: 'ecr-dev', workflow: '.github/workflows/release.yml', releaseRefs: ['refs/heads/main'] }] },
  features: { ...dev.features, orphanCloudResources: true },
};

type K8s = { kind: string; apiVersion: string; metadata: { name: string; namespace?: string; annotations: Record<string, string> }; spec: Record<string, unknown> };
const wave = (o: K8s) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);

describe('sync waves', () => {
  it('annotate every platform object with its wave by kind, and custom resources with SkipDryRunOnMissingResource', () => {
    const objs = Testing.synth(new PlatformApiChart(Testing.app(), 'p', { env })) as K8s[];
    const expected: Record<string, number> = {
      DeploymentRuntimeConfig: SyncWave.runtimeConfig,
      Provider: SyncWave.packages,
      Function: SyncWave.packages,
      ProviderConfig: SyncWave.providerConfig,
      CompositeResourceDefinition: SyncWave.definitions,
      Composition: SyncWave.compositions,
    };
    expect(new Set(objs.map((o) => o.kind))).toEqual(new Set(Object.keys(expected)));
    for (const o of objs) {
      expect({ kind: o.kind, wave: wave(o) }).toEqual({ kind: o.kind, wave: expected[o.kind] });
      expect(o.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
    }
    const pc = objs.find((o) => o.kind === 'ProviderConfig')!;
    expect(pc.metadata.namespace).toBe(dev.namespace);
    expect(pc.spec).toEqual({ credentials: { source: 'PodIdentity' } });
  });
});

describe('crossplane/', () => {
  it('labels every object like dist/<env>/ does, without an instance: they are the same in every environment', () => {
    const objs = [...renderCrossplaneDir().values()].flatMap((text) => yamlData(text) as (K8s & { metadata: { labels?: Record<string, string> } })[]);
    expect(objs.length).toBeGreaterThan(0);
    for (const o of objs) {
      expect({ kind: o.kind, name: o.metadata.name, labels: o.metadata.labels }).toEqual({
        kind: o.kind,
        name: o.metadata.name,
        labels: expect.objectContaining({
          'app.kubernetes.io/part-of': 'metrics-platform',
          'app.kubernetes.io/managed-by': 'platform-synth',
          'app.kubernetes.io/name': expect.any(String),
          'app.kubernetes.io/component': expect.any(String),
        }),
      });
      expect(o.metadata.labels).not.toHaveProperty(['app.kubernetes.io/instance']);
    }
    const packages = objs.filter((o) => o.kind === 'Provider' || o.kind === 'Function');
    expect(packages.map((p) => `${p.spec.package}`)).toEqual(packages.map((p) => expect.stringMatching(new RegExp(`:${p.metadata.labels!['app.kubernetes.io/version']}$`))));
  });
});

describe('packages', () => {
  it('are pinned by version to the schemas the checks use', () => {
    expect(PROVIDERS.map((p) => p.package)).toEqual(['ecr', 'eks', 'iam', 'kms'].map((s) => `xpkg.crossplane.io/crossplane-contrib/provider-aws-${s}:${PROVIDER_AWS_VERSION}`));
    for (const p of [...PROVIDERS, ...FUNCTIONS]) expect(p.package).toMatch(/:v[0-9]+\.[0-9]+\.[0-9]+$/);
  });
});

describe('environment XRs', () => {
  it('one Repository per ECR repository and one ClusterAddons, in the env namespace, orphaning in prod-like envs', () => {
    const chart = new AwsResourcesChart(Testing.app(), 'a', { env });
    const objs = Testing.synth(chart) as K8s[];
    expect(objs.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([`Repository/${dev.namespace}/team-metrics-app`, `ClusterAddons/${dev.namespace}/cluster-addons`]);
    for (const o of objs) {
      expect(wave(o)).toBe(SyncWave.compositeResources);
      expect(o.spec.deletionPolicy).toBe('Orphan');
    }
    expect(repositoryXrProps(env)[0]!.spec.pushRoleName).toBe('dev-ecr-push-team-metrics-app');
  });

  it('fail early, naming the environment field, on a missing or unknown add-on and an over-long role name', () => {
    const { 'aws-ebs-csi-driver': _dropped, ...fewer } = env.addons;
    expect(() => clusterAddonsXrProps({ ...env, addons: fewer })).toThrow(
      'environments/dev.yaml: addons.aws-ebs-csi-driver: got nothing; expected its EKS add-on version such as v1.19.2-eksbuild.1',
    );
    expect(() => clusterAddonsXrProps({ ...env, addons: { ...env.addons, 'metrics-server': 'v0.8.0-eksbuild.1' } })).toThrow(EnvironmentXrError);
    expect(() => pushRoleName(env, 'a'.repeat(60))).toThrow(/at most 64 characters/);
  });

  it('validate XR props early with field, value and expectation', () => {
    const [props] = repositoryXrProps(env);
    const bad = { ...props!, instance: '-not a label-', spec: { ...props!.spec, lifecycle: { keepReleases: 0 }, github: { ...props!.spec.github, repository: 'no-slash', workflow: 'release.yml', allowedRefs: [] } } };
    let message = '';
    try {
      new RepositoryXr(Testing.chart(), 'r', bad);
    } catch (err) {
      expect(err).toBeInstanceOf(XrPropsError);
      message = (err as Error).message;
    }
    expect(message).toContain('spec.lifecycle.keepReleases: got 0; expected an integer >= 1 and <= 10000');
    expect(message).toContain('spec.github.repository: got "no-slash"; expected a string matching owner/name');
    expect(message).toContain('spec.github.workflow: got "release.yml"; expected a string matching .github/workflows/<file>.yml');
    expect(message).toContain('spec.github.allowedRefs: got []; expected a list of 1-4 items without duplicates');
    expect(message).toContain('instance: got "-not a label-"; expected a label value');
  });
});

describe('the shared platform API objects', () => {
  // Rendered by cdk8s once per distinct metadata: each chart must still get exactly what cdk8s renders for it.
  const objectsOf = (chart: PlatformApiChart) => chart.node.children.filter((c): c is ApiObject => ApiObject.isApiObject(c));
  const uncached = (o: ApiObject) => new ApiObject(new Chart(Testing.app(), 'c'), 'o', { ...o.toJson() as object } as never);

  it('render the same JSON in every chart, frozen, and as cdk8s renders the same props', () => {
    const first = Testing.synth(new PlatformApiChart(Testing.app(), 'p', { env }));
    const secondChart = new PlatformApiChart(Testing.app(), 'p', { env });
    const second = Testing.synth(secondChart);
    expect(second).toEqual(first);
    const composition = objectsOf(secondChart).find((o) => o.kind === 'Composition')!;
    const json = composition.toJson() as K8s;
    expect(Object.isFrozen(json) && Object.isFrozen(json.spec)).toBe(true);
    expect(() => {
      (json.metadata as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    expect(uncached(composition).toJson()).toEqual(json);
  });

  it('follow their own metadata and JSON patches', () => {
    const chart = new PlatformApiChart(Testing.app(), 'p', { env });
    const [a, b] = objectsOf(chart).filter((o) => o.kind === 'Composition');
    a!.metadata.addAnnotation('example.com/marker', 'a');
    b!.addJsonPatch(JsonPatch.add('/metadata/labels', { patched: 'yes' }));
    const plain = new PlatformApiChart(Testing.app(), 'p', { env });
    const [pa, pb] = objectsOf(plain).filter((o) => o.kind === 'Composition');
    expect((a!.toJson() as K8s).metadata.annotations['example.com/marker']).toBe('a');
    expect((pa!.toJson() as K8s).metadata.annotations['example.com/marker']).toBeUndefined();
    expect((b!.toJson() as { metadata: { labels: Record<string, string> } }).metadata.labels).toEqual({ patched: 'yes' });
    expect((pb!.toJson() as { metadata: { labels: Record<string, string> } }).metadata.labels['patched']).toBeUndefined();
  });
});
