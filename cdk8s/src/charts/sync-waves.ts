import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

/**
 * Argo CD sync waves, in apply order: namespaces (with their network policies) first, because the platform API puts
 * namespaced objects (ProviderConfigs) in them and no pod may ever run unpoliced; then the platform API (providers,
 * XRDs, Compositions: the Crossplane charts choose finer waves inside this range), the XRs that use it, and the
 * workloads last.
 */
export const SyncWave = {
  NAMESPACES: -70,
  PLATFORM_API: -60,
  CLOUD_RESOURCES: -10,
  WORKLOADS: 0,
} as const;

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/** API groups that every Kubernetes 1.34 cluster serves: the core group, `*.k8s.io` and the unqualified ones. */
function isBuiltInApiVersion(apiVersion: string): boolean {
  if (!apiVersion.includes('/')) return true;
  const group = apiVersion.split('/')[0]!;
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/**
 * Annotates every object under `scope` with its sync wave (unless its author already chose one) and, for custom
 * resources, `SkipDryRunOnMissingResource=true`: their CRD may be created by the same sync, so Argo CD's dry run
 * cannot know the kind yet.
 */
export function applyArgoCdAnnotations(scope: Construct, wave: number): void {
  for (const node of scope.node.findAll()) {
    if (!ApiObject.isApiObject(node)) continue;
    const obj = node;
    const annotations = (obj.metadata.toJson() as { annotations?: Record<string, string> }).annotations ?? {};
    if (annotations[SYNC_WAVE] === undefined) obj.metadata.addAnnotation(SYNC_WAVE, String(wave));
    if (!isBuiltInApiVersion(obj.apiVersion)) {
      const existing = annotations[SYNC_OPTIONS];
      const options = new Set((existing ?? '').split(',').filter((o) => o !== ''));
      options.add('SkipDryRunOnMissingResource=true');
      obj.metadata.addAnnotation(SYNC_OPTIONS, [...options].sort().join(','));
    }
  }
}
