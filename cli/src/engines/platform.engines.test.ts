/**
 * The real kube-apiserver (with etcd, default admission plugins including PodSecurity) judges everything the
 * repository delivers: the Argo CD bootstrap as the real kustomize builds it, crossplane/, argocd/apps and every
 * dist/<env>/, applied in sync-wave order by server-side apply with strict field validation, a Pod from every pod
 * template, and a second apply that must change nothing.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { argocdConfigMap, buildBootstrap, crdsOfXrds, upstreamArgocdConfigMap } from './bootstrap';
import type { Engines } from './ensure';
import type { KubeApi, KubeObject } from './kube-api';
import { LocalCluster } from './local-cluster';
import { loadYamlDir, objectId, podsFromTemplates, syncWaves } from './sync-order';
import {
  crossplaneCrds,
  engines as loadEngines,
  environments,
  installCrds,
  kubeMessage,
  providerCrds,
  repoRoot,
  waitEstablished,
} from './testing/engine-context';

jest.setTimeout(180_000);

/** Pod Security warnings that are documented exceptions: Graphite runs at baseline, audited against restricted. */
const GRAPHITE_RESTRICTED_WARNING = /^would violate PodSecurity "restricted:v1\.34"/;

interface Applied {
  readonly id: string;
  readonly resourceVersion: string;
}

describe('the platform against the real API server', () => {
  let e: Engines;
  let cluster: LocalCluster;
  let api: KubeApi;
  let bootstrap: KubeObject[];
  const applied: Applied[] = [];
  const rejections: string[] = [];
  const warnings: { id: string; warning: string }[] = [];
  /** Every object applied, in order, for the second pass. */
  const appliedObjects: KubeObject[] = [];

  /** Default service accounts, as the controller manager's service account controller would create them. */
  const namespacesWithDefaultSa = new Set<string>();
  async function ensureDefaultServiceAccount(ns: string): Promise<void> {
    if (namespacesWithDefaultSa.has(ns)) return;
    await api.apply(
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } },
      { fieldManager: 'serviceaccount-controller' },
    );
    namespacesWithDefaultSa.add(ns);
  }

  async function applyAll(objects: readonly KubeObject[]): Promise<void> {
    for (const wave of syncWaves(objects)) {
      const crds: KubeObject[] = [];
      for (const o of wave) {
        const id = objectId(o);
        try {
          const r = await api.apply(o);
          applied.push({ id, resourceVersion: String(r.object.metadata.resourceVersion) });
          appliedObjects.push(o);
          for (const w of r.warnings) warnings.push({ id, warning: w });
          if (o.kind === 'CustomResourceDefinition') crds.push(o);
          if (o.kind === 'Namespace') await ensureDefaultServiceAccount(String(o.metadata.name));
        } catch (err) {
          rejections.push(`${id}: ${kubeMessage(err)}`);
        }
      }
      // Argo CD waits for a wave to be healthy before the next: a CRD is healthy once Established.
      if (crds.length > 0) await waitEstablished(api, crds);
    }
  }

  beforeAll(async () => {
    e = await loadEngines();
    cluster = await LocalCluster.start({ etcd: e.bins.etcd, kubeApiserver: e.bins['kube-apiserver'] });
    api = cluster.api();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('kustomize (the version Argo CD v3.5.1 bundles) builds argocd/bootstrap', async () => {
    bootstrap = await buildBootstrap(e, repoRoot());
    expect(bootstrap.some((o) => o.kind === 'Deployment' && o.metadata.name === 'argocd-server')).toBe(true);
    expect(bootstrap.some((o) => o.kind === 'Application' && o.metadata.name === 'root')).toBe(true);
  });

  it("keeps every one of Argo CD's default resource exclusions (the patch replaces the key whole)", () => {
    type Exclusion = { apiGroups?: string[]; kinds?: string[]; clusters?: string[] };
    const pairs = (cm: KubeObject): Set<string> => {
      const list = parse((cm.data as Record<string, string>)['resource.exclusions'] ?? '[]') as Exclusion[];
      return new Set(
        list.flatMap((x) =>
          (x.apiGroups ?? ['*']).flatMap((g) =>
            (x.kinds ?? ['*']).map((k) => `${g}/${k}@${(x.clusters ?? ['*']).join(',')}`),
          ),
        ),
      );
    };
    const ours = pairs(argocdConfigMap(bootstrap));
    const missing = [...pairs(upstreamArgocdConfigMap(e))].filter((p) => !ours.has(p));
    expect(missing).toEqual([]);
  });

  it('admits the Argo CD bootstrap (upstream install, patched argocd-cm, AppProjects and Applications)', async () => {
    await applyAll(bootstrap);
    expect(rejections).toEqual([]);
  });

  it('admits crossplane/ in sync-wave order, with Crossplane and provider CRDs from the pins', async () => {
    await installCrds(api, [...crossplaneCrds(e), ...providerCrds()]);
    await applyAll(loadYamlDir(join(repoRoot(), 'crossplane')));
    expect(rejections).toEqual([]);
  });

  it("admits each XR's CRD as Crossplane's XRD controller derives it from the stored XRD", async () => {
    const stored = await api.list('apiextensions.crossplane.io/v2', 'CompositeResourceDefinition');
    expect(stored.length).toBeGreaterThan(0);
    // The controller owns the CRD by the XRD's uid, which only the API server knows.
    const crds = await crdsOfXrds(e, stored);
    expect(crds.map((c) => c.metadata.name).sort()).toEqual(stored.map((x) => x.metadata.name).sort());
    await installCrds(api, crds);
  });

  it('admits argocd/apps and every dist/<env>/ in sync-wave order', async () => {
    await applyAll(loadYamlDir(join(repoRoot(), 'argocd', 'apps')));
    for (const env of environments()) await applyAll(loadYamlDir(join(repoRoot(), 'dist', env)));
    expect(rejections).toEqual([]);
  });

  it('admits a Pod made from every pod template (PodSecurity enforced per namespace)', async () => {
    const workloads = appliedObjects.filter((o) =>
      ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].includes(o.kind),
    );
    const pods = podsFromTemplates(workloads);
    expect(pods.length).toBeGreaterThan(5);
    for (const { owner, pod } of pods) {
      await ensureDefaultServiceAccount(String(pod.metadata.namespace));
      try {
        const r = await api.create(pod, { dryRun: true });
        for (const w of r.warnings) warnings.push({ id: `Pod of ${owner}`, warning: w });
      } catch (err) {
        rejections.push(`Pod of ${owner}: ${kubeMessage(err)}`);
      }
    }
    expect(rejections).toEqual([]);
  });

  it("warns of nothing but Graphite's documented restricted-level exceptions", () => {
    const unexpected = warnings.filter(
      (w) =>
        !(
          w.id.startsWith('Pod of StatefulSet/') &&
          w.id.includes('graphite') &&
          GRAPHITE_RESTRICTED_WARNING.test(w.warning)
        ),
    );
    expect(unexpected).toEqual([]);
  });

  it('a second apply of everything changes nothing (no new resourceVersion)', async () => {
    const first = new Map(applied.map((a) => [a.id, a.resourceVersion]));
    const changed: string[] = [];
    for (const o of appliedObjects) {
      const r = await api.apply(o);
      const before = first.get(objectId(o));
      if (String(r.object.metadata.resourceVersion) !== before) changed.push(objectId(o));
    }
    expect(changed).toEqual([]);
  });
});
