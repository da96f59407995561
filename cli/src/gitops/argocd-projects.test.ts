import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { yamlData } from '@metrics-platform/cdk8s/lib/testing/yaml-data';
import { loadEnvironments } from '@metrics-platform/cdk8s/lib/config';
import { renderEnvironment } from '@metrics-platform/cdk8s/lib/render';
import { renderArgoApps, WORKLOADS_CLUSTER_RESOURCES, type AppProject } from '@metrics-platform/cdk8s/lib/argocd';
import { SchemaRegistry, resolveSchemasDir } from '../validate';
import { REPO_ROOT } from '../testing/git-fixture';

/**
 * The workloads AppProject against what dist/<env> renders. Which kinds are cluster-scoped comes from the schemas
 * `platform validate` reads (built-ins, the pinned CRDs' `spec.scope`) and the repository's own XRDs.
 */
const registry = SchemaRegistry.load(resolveSchemasDir({ repoRoot: REPO_ROOT }));
for (const f of readdirSync(join(REPO_ROOT, 'crossplane')).filter((f) => f.startsWith('20-xrd-'))) {
  for (const doc of parseAllDocuments(readFileSync(join(REPO_ROOT, 'crossplane', f), 'utf8'))) {
    const xrd = doc.toJS() as { kind?: string } | null;
    if (xrd?.kind === 'CompositeResourceDefinition') registry.addXrd(xrd);
  }
}
const envs = loadEnvironments(REPO_ROOT);
/** Every object dist/<env> renders, per environment: rendered and read once, shared by the tests (read-only). */
type Rendered = { apiVersion?: string; kind?: string; metadata?: { namespace?: string } } | null;
const renderedObjects = envs.map((env) => ({
  env,
  objects: [...renderEnvironment(REPO_ROOT, env).values()].flatMap((text) => yamlData(text) as Rendered[]),
}));
const projects = [...renderArgoApps(envs).entries()]
  .filter(([f]) => f !== 'kustomization.yaml')
  .map(([, text]) => parse(text) as AppProject)
  .filter((o) => o.kind === 'AppProject');

/** Whether a rendered kind is namespaced; a kind the schemas do not know fails the test rather than guessing. */
function namespaced(apiVersion: string, kind: string): boolean {
  const n = registry.isNamespaced(apiVersion, kind);
  expect({ apiVersion, kind, known: n !== undefined }).toEqual({ apiVersion, kind, known: true });
  return n as boolean;
}

describe('the workloads AppProject', () => {
  it('allows every namespace that dist/<env> deploys into, and only those', () => {
    const workloads = projects.find((p) => p.metadata.name === 'workloads')!;
    const used = new Set<string>();
    for (const { env, objects } of renderedObjects) {
      for (const obj of objects) {
        if (!obj?.apiVersion || !obj.kind) continue;
        if (!namespaced(obj.apiVersion, obj.kind)) continue;
        const dest = { server: env.cluster.server, namespace: obj.metadata?.namespace ?? env.namespace };
        used.add(`${dest.server} ${dest.namespace}`);
        expect({
          kind: obj.kind,
          allowed: workloads.spec.destinations.some((d) => d.server === dest.server && d.namespace === dest.namespace),
        }).toEqual({ kind: obj.kind, allowed: true });
      }
    }
    expect(workloads.spec.destinations.map((d) => `${d.server} ${d.namespace}`).sort()).toEqual([...used].sort());
  });

  it('allows exactly the kinds dist/<env> renders, cluster-scoped and namespaced, nothing more', () => {
    const workloads = projects.find((p) => p.metadata.name === 'workloads')!;
    const rendered = { cluster: new Set<string>(), namespaced: new Set<string>() };
    for (const { objects } of renderedObjects) {
      for (const obj of objects) {
        if (!obj?.apiVersion || !obj.kind) continue;
        const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0]! : '';
        const gk = `${group}/${obj.kind}`;
        (namespaced(obj.apiVersion, obj.kind) ? rendered.namespaced : rendered.cluster).add(gk);
      }
    }
    const names = (gks: readonly { group: string; kind: string }[] | undefined) =>
      (gks ?? []).map((gk) => `${gk.group}/${gk.kind}`).sort();
    expect(names(WORKLOADS_CLUSTER_RESOURCES)).toEqual([...rendered.cluster].sort());
    expect(names(workloads.spec.clusterResourceWhitelist)).toEqual([...rendered.cluster].sort());
    // An allow-list, not a blacklist: every namespaced kind not rendered is refused.
    expect(names(workloads.spec.namespaceResourceWhitelist)).toEqual([...rendered.namespaced].sort());
    expect(workloads.spec).not.toHaveProperty('namespaceResourceBlacklist');
    expect(rendered.namespaced.size).toBeGreaterThan(0);
  });
});
