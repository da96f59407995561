import type { EnvironmentConfig } from '../config';
import { standardLabels } from '../constructs/labels';
import { topologyOf } from '../constructs/topology';
import { CLUSTER_ADDONS, PLATFORM_API_GROUP, REGISTRY_REPLICATION, REGISTRY_REPLICATION_GRANT, REPOSITORY } from '../crossplane/api';
import { ARGOCD_NAMESPACE, CROSSPLANE_CHART, PLATFORM_REPOSITORY } from './repository';
import type { AppProject, ApplicationDestination, GroupKind } from './types';

/** Where Argo CD itself runs: the root Application and the platform project always allow it. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/** Project of Argo CD itself, the root app of apps and the Crossplane core install. */
export const PLATFORM_PROJECT = 'platform';
/** Project of every environment's Application (platform API objects, XRs and workloads of `dist/<env>`). */
export const WORKLOADS_PROJECT = 'workloads';

/**
 * Cluster-scoped kinds that Argo CD's own install and the Crossplane Helm chart create. Anything else
 * cluster-scoped is refused at sync time, so a stray ClusterRoleBinding in a chart upgrade is caught.
 */
export const PLATFORM_CLUSTER_RESOURCES: readonly GroupKind[] = [
  { group: '', kind: 'Namespace' },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];

/**
 * Cluster-scoped kinds an environment's `dist/<env>` carries, and nothing more: its namespaces and storage class,
 * and the Crossplane platform API (packages, their runtime config, XRDs, Compositions). `env/dev` and
 * `env/staging` move by bot commits without review, so a kind the renderer never produces (an ImageConfig that
 * redirects package pulls, a ClusterProviderConfig with other credentials) must not sync. A test fails when the
 * rendered kinds and this list differ in either direction.
 */
export const WORKLOADS_CLUSTER_RESOURCES: readonly GroupKind[] = [
  { group: '', kind: 'Namespace' },
  { group: 'storage.k8s.io', kind: 'StorageClass' },
  { group: 'pkg.crossplane.io', kind: 'Provider' },
  { group: 'pkg.crossplane.io', kind: 'Function' },
  { group: 'pkg.crossplane.io', kind: 'DeploymentRuntimeConfig' },
  { group: 'apiextensions.crossplane.io', kind: 'CompositeResourceDefinition' },
  { group: 'apiextensions.crossplane.io', kind: 'Composition' },
];

/**
 * Namespaced kinds an environment's `dist/<env>` carries, and nothing more (an allow-list: no Role, RoleBinding,
 * Secret, Pod or quota can arrive through an env branch). A test fails when the rendered kinds and this list differ.
 */
export const WORKLOADS_NAMESPACE_RESOURCES: readonly GroupKind[] = [
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'apps', kind: 'StatefulSet' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'aws.m.upbound.io', kind: 'ProviderConfig' },
  { group: PLATFORM_API_GROUP, kind: REPOSITORY.kind },
  { group: PLATFORM_API_GROUP, kind: CLUSTER_ADDONS.kind },
  { group: PLATFORM_API_GROUP, kind: REGISTRY_REPLICATION.kind },
  { group: PLATFORM_API_GROUP, kind: REGISTRY_REPLICATION_GRANT.kind },
];

function dedupe(destinations: ApplicationDestination[]): ApplicationDestination[] {
  const seen = new Map<string, ApplicationDestination>();
  for (const d of destinations) seen.set(`${d.server} ${d.namespace}`, d);
  return [...seen.values()].sort((a, b) => `${a.server} ${a.namespace}`.localeCompare(`${b.server} ${b.namespace}`));
}

function project(name: string, spec: AppProject['spec']): AppProject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: {
      name,
      namespace: ARGOCD_NAMESPACE,
      labels: standardLabels({ component: 'argocd-project' }),
      // Projects exist before the Applications that name them.
      annotations: { 'argocd.argoproj.io/sync-wave': '-2' },
    },
    spec,
  };
}

/** Argo CD itself and Crossplane core, on every cluster an environment runs on. */
export function platformProject(envs: readonly EnvironmentConfig[]): AppProject {
  const servers = [...new Set([IN_CLUSTER, ...envs.map((e) => e.cluster.server)])];
  return project(PLATFORM_PROJECT, {
    description: 'Argo CD itself (the root app of apps) and the Crossplane core install.',
    // The Crossplane chart is the one source outside this repository; both are exact URLs.
    sourceRepos: [PLATFORM_REPOSITORY.url, CROSSPLANE_CHART.repoURL],
    destinations: dedupe([
      { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      ...servers.map((server) => ({ server, namespace: CROSSPLANE_CHART.namespace })),
    ]),
    clusterResourceWhitelist: [...PLATFORM_CLUSTER_RESOURCES],
    orphanedResources: { warn: true },
  });
}

/** The namespaces an environment's `dist/<env>` deploys into: the app's and Graphite's. */
export function environmentNamespaces(env: EnvironmentConfig): string[] {
  const topology = topologyOf(env);
  return [topology.appNamespace, topology.graphiteNamespace];
}

/** Every environment's Application: only this repository, only the environments' own namespaces. */
export function workloadsProject(envs: readonly EnvironmentConfig[]): AppProject {
  return project(WORKLOADS_PROJECT, {
    description: 'Each environment: the platform API, its XRs and the metrics workloads rendered in dist/<env>.',
    sourceRepos: [PLATFORM_REPOSITORY.url],
    destinations: dedupe(
      envs.flatMap((e) => environmentNamespaces(e).map((namespace) => ({ server: e.cluster.server, namespace }))),
    ),
    clusterResourceWhitelist: [...WORKLOADS_CLUSTER_RESOURCES],
    namespaceResourceWhitelist: [...WORKLOADS_NAMESPACE_RESOURCES],
    orphanedResources: { warn: true },
  });
}
