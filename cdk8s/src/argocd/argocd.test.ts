import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadEnvironments, type EnvironmentConfig } from '../config';
import { renderEnvironment } from '../render';
import {
  GENERATED_HEADER,
  PLATFORM_REPOSITORY,
  WORKLOADS_CLUSTER_RESOURCES,
  renderArgoApps,
  type AppProject,
  type Application,
} from './index';

const repoRoot = resolve(__dirname, '../../..');
const schemasDir = process.env.PLATFORM_SCHEMAS_DIR ?? resolve(repoRoot, '../shared/schemas');
const envs = loadEnvironments(repoRoot);

function objects(files: Map<string, string>): Array<AppProject | Application> {
  return [...files.entries()].filter(([f]) => f !== 'kustomization.yaml').map(([, text]) => parse(text));
}
const rendered = renderArgoApps(envs);
const all = objects(rendered);
const projects = all.filter((o): o is AppProject => o.kind === 'AppProject');
const apps = all.filter((o): o is Application => o.kind === 'Application');

function withEnv(name: string, patch: (e: EnvironmentConfig) => EnvironmentConfig): EnvironmentConfig[] {
  return envs.map((e) => (e.name === name ? patch(e) : e));
}

describe('renderArgoApps', () => {
  it('gives every environment exactly one Application on env/<env> and dist/<env>, to its cluster and namespace', () => {
    for (const env of envs) {
      const mine = apps.filter((a) => a.spec.source.targetRevision === `env/${env.name}`);
      expect(mine).toHaveLength(1);
      const app = mine[0]!;
      expect(app.spec.source.path).toBe(`dist/${env.name}`);
      expect(app.spec.source.repoURL).toBe(PLATFORM_REPOSITORY.url);
      expect(app.spec.destination).toEqual({ server: env.cluster.server, namespace: env.namespace });
      expect(app.spec.project).toBe('workloads');
      expect(apps.filter((a) => a.spec.source.path === `dist/${env.name}`)).toHaveLength(1);
    }
  });

  it('labels every project and application as part of the platform, written by platform synth', () => {
    for (const o of all)
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/part-of': 'metrics-platform',
        'app.kubernetes.io/managed-by': 'platform-synth',
        'app.kubernetes.io/component': o.kind === 'AppProject' ? 'argocd-project' : 'argocd-application',
      });
  });

  it('never uses the default project and only projects it defines', () => {
    const names = projects.map((p) => p.metadata.name).sort();
    expect(names).toEqual(['platform', 'workloads']);
    for (const app of apps) {
      expect(app.spec.project).not.toBe('default');
      expect(names).toContain(app.spec.project);
    }
  });

  it('has no wildcard source, destination or cluster resource, and warns on orphaned resources', () => {
    for (const p of projects) {
      for (const repo of p.spec.sourceRepos) expect(repo).not.toMatch(/\*/);
      expect(p.spec.sourceRepos).toContain(PLATFORM_REPOSITORY.url);
      for (const d of p.spec.destinations) expect(`${d.server} ${d.namespace}`).not.toMatch(/\*/);
      for (const gk of p.spec.clusterResourceWhitelist) expect(`${gk.group}/${gk.kind}`).not.toMatch(/\*/);
      expect(p.spec.orphanedResources).toEqual({ warn: true });
    }
    expect(projects.find((p) => p.metadata.name === 'workloads')!.spec.sourceRepos).toEqual([PLATFORM_REPOSITORY.url]);
  });

  it('only sends each Application where its project allows, from a source it allows', () => {
    for (const app of apps) {
      const project = projects.find((p) => p.metadata.name === app.spec.project)!;
      expect(project.spec.destinations).toContainEqual(app.spec.destination);
      expect(project.spec.sourceRepos).toContain(app.spec.source.repoURL);
    }
  });

  it('automates dev and staging with prune and self-heal, prod without auto-prune, all with retries', () => {
    const byEnv = (n: string) => apps.find((a) => a.metadata.name === `env-${n}`)!;
    expect(byEnv('dev').spec.syncPolicy.automated).toMatchObject({ prune: true, selfHeal: true, allowEmpty: false });
    expect(byEnv('staging').spec.syncPolicy.automated).toMatchObject({ prune: true, selfHeal: true });
    expect(byEnv('prod').spec.syncPolicy.automated).toMatchObject({ prune: false, selfHeal: true });
    for (const app of apps) {
      expect(app.spec.syncPolicy.retry.limit).toBeGreaterThan(0);
      expect(app.spec.syncPolicy.retry.backoff.factor).toBeGreaterThan(1);
    }
  });

  it('leaves an environment with autoSync off to manual syncs', () => {
    const manual = withEnv('staging', (e) => ({ ...e, features: { ...e.features, autoSync: false } }));
    const app = objects(renderArgoApps(manual)).find((o) => o.metadata.name === 'env-staging') as Application;
    expect(app.spec.syncPolicy.automated).toBeUndefined();
    expect(app.spec.syncPolicy.retry).toBeDefined();
  });

  it('orders projects, then Crossplane, then environments by sync wave, with server-side apply for big CRDs', () => {
    const wave = (o: AppProject | Application) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    const crossplane = apps.filter((a) => a.spec.source.chart === 'crossplane');
    // one EKS cluster per environment: Crossplane core is installed into each, before that environment syncs
    expect(crossplane).toHaveLength(envs.length);
    for (const env of envs) {
      const core = crossplane.find((a) => a.spec.destination.server === env.cluster.server)!;
      expect(core.spec.source.targetRevision).toMatch(/^2\.3\.\d+$/);
      for (const p of projects) expect(wave(p)).toBeLessThan(wave(core));
      expect(wave(core)).toBeLessThan(wave(apps.find((a) => a.metadata.name === `env-${env.name}`)!));
    }
    for (const app of apps) expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
  });

  it('installs Crossplane once per distinct destination cluster', () => {
    const shared = 'https://shared.example.org';
    const merged = withEnv('dev', (e) => ({ ...e, cluster: { ...e.cluster, server: shared } })).map((e) =>
      e.name === 'staging' ? { ...e, cluster: { ...e.cluster, server: shared } } : e,
    );
    const charts = objects(renderArgoApps(merged)).filter((o) => o.kind === 'Application' && (o as Application).spec.source.chart);
    const prod = envs.find((e) => e.name === 'prod')!.cluster.server;
    expect(charts.map((a) => (a as Application).spec.destination.server).sort()).toEqual([prod, shared].sort());
  });

  it('marks every file generated and lists each in the kustomization', () => {
    for (const text of rendered.values()) expect(text.startsWith(GENERATED_HEADER)).toBe(true);
    const kustomization = parse(rendered.get('kustomization.yaml')!) as { resources: string[] };
    expect([...kustomization.resources, 'kustomization.yaml'].sort()).toEqual([...rendered.keys()].sort());
  });

  it('refuses an empty or duplicated environment list', () => {
    expect(() => renderArgoApps([])).toThrow(/at least one/);
    expect(() => renderArgoApps([envs[0]!, envs[0]!])).toThrow(/listed twice/);
  });

  it('allows every namespace that dist/<env> deploys into, and only those', () => {
    const workloads = projects.find((p) => p.metadata.name === 'workloads')!;
    const clusterScoped = clusterScopedKinds();
    const used = new Set<string>();
    for (const env of envs) {
      for (const text of renderEnvironment(repoRoot, env).values()) {
        for (const doc of parseAllDocuments(text)) {
          const obj = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { namespace?: string } } | null;
          if (!obj?.apiVersion || !obj.kind) continue;
          const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0]! : '';
          if (clusterScoped.has(`${group}/${obj.kind}`)) continue;
          const dest = { server: env.cluster.server, namespace: obj.metadata?.namespace ?? env.namespace };
          used.add(`${dest.server} ${dest.namespace}`);
          expect({ kind: obj.kind, allowed: workloads.spec.destinations.some((d) => d.server === dest.server && d.namespace === dest.namespace) }).toEqual({ kind: obj.kind, allowed: true });
        }
      }
    }
    expect(workloads.spec.destinations.map((d) => `${d.server} ${d.namespace}`).sort()).toEqual([...used].sort());
  });

  it('allows exactly the kinds dist/<env> renders, cluster-scoped and namespaced, nothing more', () => {
    const workloads = projects.find((p) => p.metadata.name === 'workloads')!;
    const clusterScoped = clusterScopedKinds();
    const rendered = { cluster: new Set<string>(), namespaced: new Set<string>() };
    for (const env of envs) {
      for (const text of renderEnvironment(repoRoot, env).values()) {
        for (const doc of parseAllDocuments(text)) {
          const obj = doc.toJS() as { apiVersion?: string; kind?: string } | null;
          if (!obj?.apiVersion || !obj.kind) continue;
          const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0]! : '';
          const gk = `${group}/${obj.kind}`;
          (clusterScoped.has(gk) ? rendered.cluster : rendered.namespaced).add(gk);
        }
      }
    }
    const names = (gks: readonly { group: string; kind: string }[] | undefined) => (gks ?? []).map((gk) => `${gk.group}/${gk.kind}`).sort();
    expect(names(WORKLOADS_CLUSTER_RESOURCES)).toEqual([...rendered.cluster].sort());
    expect(names(workloads.spec.clusterResourceWhitelist)).toEqual([...rendered.cluster].sort());
    // An allow-list, not a blacklist: every namespaced kind not rendered is refused.
    expect(names(workloads.spec.namespaceResourceWhitelist)).toEqual([...rendered.namespaced].sort());
    expect(workloads.spec).not.toHaveProperty('namespaceResourceBlacklist');
    expect(rendered.namespaced.size).toBeGreaterThan(0);
  });
});

/** Cluster-scoped kinds: the upstream CRDs' `spec.scope`, the core ones a chart may ship, and this repo's XRDs. */
function clusterScopedKinds(): Set<string> {
  const kinds = new Set([
    '/Namespace',
    '/PersistentVolume',
    'storage.k8s.io/StorageClass',
    'rbac.authorization.k8s.io/ClusterRole',
    'rbac.authorization.k8s.io/ClusterRoleBinding',
    'apiextensions.k8s.io/CustomResourceDefinition',
    'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io/MutatingWebhookConfiguration',
    'scheduling.k8s.io/PriorityClass',
  ]);
  for (const file of readdirSync(join(schemasDir, 'crds'))) {
    const crd = parse(readFileSync(join(schemasDir, 'crds', file), 'utf8')) as {
      kind?: string;
      spec?: { group: string; scope: string; names: { kind: string } };
    };
    if (crd.kind === 'CustomResourceDefinition' && crd.spec?.scope === 'Cluster') kinds.add(`${crd.spec.group}/${crd.spec.names.kind}`);
  }
  return kinds;
}
