/**
 * The real kube-apiserver (with etcd, default admission plugins including PodSecurity) judges everything the
 * repository delivers, cluster by cluster as it is delivered: the management cluster gets the Argo CD bootstrap
 * as the real kustomize builds it (with argocd/apps); each environment's cluster gets Crossplane's CRDs, crossplane/
 * and dist/<env>/, in sync-wave order, with each XR's CRD derived from the stored XRD by Crossplane's code. Everything
 * by server-side apply with strict field validation; a Pod from every pod template; no rejection, no warning but
 * Graphite's documented restricted-level ones, and a second apply that changes nothing.
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

/** Pod Security warnings that are documented exceptions: Graphite (its StatefulSet and pods) runs at baseline, warned and audited against restricted. */
const GRAPHITE_RESTRICTED_WARNING = /^would violate PodSecurity "restricted:v1\.34"/;

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/** One cluster under test and what was applied to it. */
class Target {
  readonly rejections: string[] = [];
  readonly warnings: { id: string; warning: string }[] = [];
  readonly applied: KubeObject[] = [];
  private readonly defaultSa = new Set<string>();

  constructor(
    readonly api: KubeApi,
    private readonly engines: Engines,
  ) {}

  /** The default service account, as the controller manager's service account controller creates it. */
  async ensureDefaultServiceAccount(ns: string): Promise<void> {
    if (this.defaultSa.has(ns)) return;
    await this.api.apply(
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } },
      { fieldManager: 'serviceaccount-controller' },
    );
    this.defaultSa.add(ns);
  }

  /**
   * Applies objects the way Argo CD syncs them: wave by wave (or as one batch, like kubectl, with `waves: false`),
   * kinds in Argo CD's order, CRDs established before the kinds they serve; after a wave with XRDs, the CRDs
   * Crossplane's XRD controller would create from the stored XRDs.
   */
  async applyAll(objects: readonly KubeObject[], opts: { waves: boolean } = { waves: true }): Promise<void> {
    const batches = opts.waves
      ? syncWaves(objects)
      : syncWaves(objects.map((o) => ({ ...o, metadata: { ...o.metadata, annotations: {} } })));
    for (const wave of batches) {
      let crds: KubeObject[] = [];
      for (const o of wave) {
        const original = opts.waves ? o : (objects.find((x) => objectId(x) === objectId(o)) ?? o);
        if (o.kind !== 'CustomResourceDefinition' && crds.length > 0) {
          await waitEstablished(this.api, crds);
          crds = [];
        }
        const id = objectId(original);
        try {
          const r = await this.api.apply(original);
          this.applied.push(original);
          for (const w of r.warnings) this.warnings.push({ id, warning: w });
          if (o.kind === 'CustomResourceDefinition') crds.push(original);
          if (o.kind === 'Namespace') await this.ensureDefaultServiceAccount(String(o.metadata.name));
        } catch (err) {
          this.rejections.push(`${id}: ${kubeMessage(err)}`);
        }
      }
      if (crds.length > 0) await waitEstablished(this.api, crds);
      if (wave.some((o) => o.kind === 'CompositeResourceDefinition')) {
        // The controller owns each CRD by its XRD's uid, which only the API server knows: derive from stored XRDs.
        const stored = await this.api.list('apiextensions.crossplane.io/v2', 'CompositeResourceDefinition');
        await installCrds(this.api, await crdsOfXrds(this.engines, stored));
      }
    }
  }

  /** A Pod from each applied workload's template, created as a server-side dry run. */
  async admitPods(): Promise<number> {
    const pods = podsFromTemplates(this.applied.filter((o) => WORKLOADS.includes(o.kind)));
    for (const { owner, pod } of pods) {
      await this.ensureDefaultServiceAccount(String(pod.metadata.namespace));
      try {
        const r = await this.api.create(pod, { dryRun: true });
        for (const w of r.warnings) this.warnings.push({ id: `Pod of ${owner}`, warning: w });
      } catch (err) {
        this.rejections.push(`Pod of ${owner}: ${kubeMessage(err)}`);
      }
    }
    return pods.length;
  }

  /** Objects whose second apply stored a new resourceVersion. */
  async reapply(objects: readonly KubeObject[]): Promise<string[]> {
    const changed: string[] = [];
    for (const o of objects) {
      const before = await this.api.get(o.apiVersion, o.kind, String(o.metadata.name), o.metadata.namespace);
      const r = await this.api.apply(o);
      if (r.object.metadata.resourceVersion !== before.metadata.resourceVersion) changed.push(objectId(o));
    }
    return changed;
  }
}

let e: Engines;
beforeAll(async () => {
  e = await loadEngines();
});

describe('the management cluster: the Argo CD bootstrap', () => {
  let cluster: LocalCluster;
  let target: Target;
  let bootstrap: KubeObject[];

  beforeAll(async () => {
    cluster = await LocalCluster.start({ etcd: e.bins.etcd, kubeApiserver: e.bins['kube-apiserver'] });
    target = new Target(cluster.api(), e);
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

  it('admits the bootstrap in the two passes docs/gitops.md gives (part-of=argocd with the CRDs, then everything)', async () => {
    const argocd = bootstrap.filter(
      (o) => (o.metadata.labels as Record<string, string> | undefined)?.['app.kubernetes.io/part-of'] === 'argocd',
    );
    expect(argocd.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name)).toEqual(
      expect.arrayContaining(['applications.argoproj.io', 'appprojects.argoproj.io']),
    );
    await target.applyAll(argocd, { waves: false });
    await target.applyAll(bootstrap, { waves: false });
    expect(target.rejections).toEqual([]);
  });

  it("admits a Pod from every pod template of Argo CD's install", async () => {
    expect(await target.admitPods()).toBeGreaterThan(3);
    expect(target.rejections).toEqual([]);
    expect(target.warnings).toEqual([]);
  });

  it('a second apply (the root Application syncing argocd/bootstrap) changes nothing', async () => {
    expect(await target.reapply(bootstrap)).toEqual([]);
  });
});

describe.each(environments())("the %s cluster: Crossplane's platform API and dist/<env>/", (env) => {
  let cluster: LocalCluster;
  let target: Target;
  const dist = loadYamlDir(join(repoRoot(), 'dist', env));

  beforeAll(async () => {
    cluster = await LocalCluster.start({ etcd: e.bins.etcd, kubeApiserver: e.bins['kube-apiserver'] });
    target = new Target(cluster.api(), e);
    // What Crossplane's Helm chart (the crossplane-<env> Application) installs, and its providers' CRDs.
    await installCrds(target.api, [...crossplaneCrds(e), ...providerCrds()]);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('admits crossplane/ and dist/<env>/ in sync-wave order, XRs against the CRDs their XRDs produce', async () => {
    await target.applyAll(loadYamlDir(join(repoRoot(), 'crossplane')));
    await target.applyAll(dist);
    expect(target.rejections).toEqual([]);
    expect(target.applied.some((o) => o.apiVersion.startsWith('platform.example.org/'))).toBe(true);
  });

  it('admits a Pod from every pod template (PodSecurity enforced per namespace)', async () => {
    expect(await target.admitPods()).toBeGreaterThanOrEqual(2);
    expect(target.rejections).toEqual([]);
  });

  it("warns of nothing but Graphite's documented restricted-level exceptions", () => {
    const unexpected = target.warnings.filter(
      (w) => !(/^(Pod of )?StatefulSet\/[^/]*graphite/.test(w.id) && GRAPHITE_RESTRICTED_WARNING.test(w.warning)),
    );
    expect(unexpected).toEqual([]);
  });

  it('a second apply of dist/<env>/ (the next Argo CD sync) changes nothing', async () => {
    expect(await target.reapply(dist)).toEqual([]);
  });
});
