import { resolve } from 'node:path';
import { parse } from 'yaml';
import { loadEnvironments, type EnvironmentConfig } from '../config';
import {
  GENERATED_HEADER,
  PLATFORM_REPOSITORY,
  renderArgoApps,
  type AppProject,
  type Application,
} from './index';

const repoRoot = resolve(__dirname, '../../..');
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
});
