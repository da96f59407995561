import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

/**
 * Argo CD sync waves of everything in `dist/<env>/`: the one table that the workload charts, the platform API and
 * docs/crossplane.md follow. Argo CD applies a wave only once every resource of the previous waves is healthy, and
 * deletes in the reverse order, which gives the bootstrap and teardown order of docs/crossplane.md:
 *
 * namespaces -> runtime config -> Providers/Functions -> ProviderConfig -> XRDs -> Compositions -> XRs -> workloads.
 */
export const SyncWave = {
  /**
   * Namespaces and their network policies: the platform API puts namespaced objects (the ProviderConfig) in them,
   * and no pod may ever run unpoliced.
   */
  namespaces: -70,
  /** DeploymentRuntimeConfig: exists before the provider pods, so they start with the Pod Identity service account. */
  runtimeConfig: -60,
  /** Provider and Function packages (Crossplane installs their CRDs). */
  packages: -50,
  /** The namespaced ProviderConfig: needs the provider-family CRDs the packages install. */
  providerConfig: -40,
  /** CompositeResourceDefinitions: Crossplane turns them into the XR CRDs. */
  definitions: -30,
  /** Compositions: refer to XRD kinds and to installed Functions. */
  compositions: -20,
  /** The environment's XRs (Repository, ClusterAddons). */
  compositeResources: -10,
  /**
   * Registry-wide replication XRs (RegistryReplication, RegistryReplicationGrant): only once the Repositories they
   * name are Ready (replication never lands in, or leaves from, a repository that is not there yet), and deleted
   * before them.
   */
  registryReplication: -5,
  /** Workloads (the metrics app and Graphite). */
  workloads: 0,
} as const;

export type SyncWaveName = keyof typeof SyncWave;

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const SKIP_DRY_RUN = 'SkipDryRunOnMissingResource=true';

/** Argo CD annotations of a platform object: its wave, and no dry-run failure while its CRD is not installed yet. */
export function argoAnnotations(wave: SyncWaveName, customResource = true): Record<string, string> {
  const a: Record<string, string> = { [SYNC_WAVE]: String(SyncWave[wave]) };
  if (customResource) a[SYNC_OPTIONS] = SKIP_DRY_RUN;
  return a;
}

/** API groups that every Kubernetes 1.34 cluster serves: the core group, `*.k8s.io` and the unqualified ones. */
function isBuiltInApiVersion(apiVersion: string): boolean {
  if (!apiVersion.includes('/')) return true;
  const group = apiVersion.split('/')[0]!;
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/**
 * Annotates every object under `scope` with the sync wave `wave` of the table (unless its author already chose one)
 * and, for custom resources, `SkipDryRunOnMissingResource=true`: their CRD may be created by the same sync, so Argo
 * CD's dry run cannot know the kind yet.
 */
export function applyArgoCdAnnotations(scope: Construct, wave: SyncWaveName): void {
  for (const node of scope.node.findAll()) {
    if (!ApiObject.isApiObject(node)) continue;
    const obj = node;
    const annotations = (obj.metadata.toJson() as { annotations?: Record<string, string> }).annotations ?? {};
    if (annotations[SYNC_WAVE] === undefined) obj.metadata.addAnnotation(SYNC_WAVE, String(SyncWave[wave]));
    if (!isBuiltInApiVersion(obj.apiVersion)) {
      const existing = annotations[SYNC_OPTIONS];
      const options = new Set((existing ?? '').split(',').filter((o) => o !== ''));
      options.add(SKIP_DRY_RUN);
      obj.metadata.addAnnotation(SYNC_OPTIONS, [...options].sort().join(','));
    }
  }
}
