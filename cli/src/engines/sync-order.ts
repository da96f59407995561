import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube-api';

/** Every object of the YAML files of a directory (non-recursive, *.yaml), in file order. */
export function loadYamlDir(dir: string): KubeObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .flatMap((f) => loadYaml(readFileSync(join(dir, f), 'utf8')));
}

export function loadYaml(text: string): KubeObject[] {
  return (
    parseAllDocuments(text)
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null && typeof o === 'object' && typeof o.kind === 'string')
      // A kustomization.yaml is build input, not an object.
      .filter((o) => !o.apiVersion.startsWith('kustomize.config.k8s.io/'))
  );
}

/**
 * The order Argo CD applies kinds within one sync wave (gitops-engine's kind order); kinds not listed come after,
 * by name.
 */
const KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

export function syncWave(o: KubeObject): number {
  const w = (o.metadata.annotations as Record<string, string> | undefined)?.['argocd.argoproj.io/sync-wave'];
  return w === undefined ? 0 : Number(w);
}

/** Groups objects into sync waves (ascending), each wave in Argo CD's kind order. */
export function syncWaves(objects: readonly KubeObject[]): KubeObject[][] {
  const byWave = new Map<number, KubeObject[]>();
  for (const o of objects) {
    const w = syncWave(o);
    byWave.set(w, [...(byWave.get(w) ?? []), o]);
  }
  const rank = (k: string): number => {
    const i = KIND_ORDER.indexOf(k);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...byWave.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, objs]) =>
      [...objs].sort(
        (a, b) =>
          rank(a.kind) - rank(b.kind) || (rank(a.kind) === KIND_ORDER.length ? a.kind.localeCompare(b.kind) : 0),
      ),
    );
}

export const objectId = (o: KubeObject): string =>
  `${o.kind}/${o.metadata.namespace === undefined ? '' : `${o.metadata.namespace}/`}${String(o.metadata.name)}`;

/** Workload kinds and where their pod template is. */
const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** A Pod made from each pod template, as the workload's controller would create it (for admission checks). */
export function podsFromTemplates(objects: readonly KubeObject[]): { owner: string; pod: KubeObject }[] {
  const out: { owner: string; pod: KubeObject }[] = [];
  for (const o of objects) {
    const path = TEMPLATE_PATHS[o.kind];
    if (path === undefined || (!o.apiVersion.startsWith('apps/') && !o.apiVersion.startsWith('batch/'))) continue;
    let t: unknown = o;
    for (const p of path) t = (t as Record<string, unknown> | undefined)?.[p];
    const template = t as { metadata?: Record<string, unknown>; spec?: unknown } | undefined;
    if (template?.spec === undefined) continue;
    const spec = structuredClone(template.spec) as { volumes?: unknown[] };
    if (o.kind === 'StatefulSet') {
      // The StatefulSet controller adds a volume per claim template, bound to the claim of each ordinal.
      const claims = (
        (o.spec as { volumeClaimTemplates?: { metadata?: { name?: string } }[] }).volumeClaimTemplates ?? []
      ).map((c) => String(c.metadata?.name));
      spec.volumes = [
        ...(spec.volumes ?? []),
        ...claims.map((name) => ({
          name,
          persistentVolumeClaim: { claimName: `${name}-${String(o.metadata.name)}-0` },
        })),
      ];
    }
    out.push({
      owner: objectId(o),
      pod: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          ...(template.metadata ?? {}),
          name: `${String(o.metadata.name)}-engine-check`,
          namespace: o.metadata.namespace,
        },
        spec: spec as Record<string, unknown>,
      },
    });
  }
  return out;
}
