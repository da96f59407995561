/**
 * Argo CD sync waves of everything in `dist/<env>/`, in one table so the platform API, the workloads and the Argo CD
 * docs agree. Argo CD applies a wave only once every resource of the previous waves is healthy, and deletes in the
 * reverse order, which gives the bootstrap and teardown order of docs/crossplane.md:
 *
 * runtime config -> Providers/Functions -> ProviderConfig -> XRDs -> Compositions -> XRs -> workloads.
 */
export const SyncWave = {
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
  /** Workloads (helper C's charts) start at 0. */
  workloads: 0,
} as const;

export type SyncWaveName = keyof typeof SyncWave;

/** Argo CD annotations of a platform object: its wave, and no dry-run failure while its CRD is not installed yet. */
export function argoAnnotations(wave: SyncWaveName, customResource = true): Record<string, string> {
  const a: Record<string, string> = { 'argocd.argoproj.io/sync-wave': String(SyncWave[wave]) };
  if (customResource) a['argocd.argoproj.io/sync-options'] = 'SkipDryRunOnMissingResource=true';
  return a;
}
