import type { EnvironmentConfig } from '../config';
import { standardLabels } from '../constructs/labels';
import { IN_CLUSTER, PLATFORM_PROJECT, WORKLOADS_PROJECT } from './projects';
import {
  ARGOCD_NAMESPACE,
  CROSSPLANE_CHART,
  ENVIRONMENT_LABEL,
  PLATFORM_REPOSITORY,
  applicationName,
  envBranch,
  envDistPath,
} from './repository';
import type { Application, RetryStrategy, SyncPolicy } from './types';

/** Transient failures (a CRD not yet established, a webhook not yet up) retry: 10s, 20s, 40s ... capped at 5m. */
export const SYNC_RETRY: RetryStrategy = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

/** The Application that applies `argocd/bootstrap` (Argo CD itself, these projects and apps) from main. */
export const ROOT_APPLICATION = 'root';

function application(
  name: string,
  wave: number,
  labels: Record<string, string>,
  spec: Application['spec'],
): Application {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: ARGOCD_NAMESPACE,
      labels: { ...standardLabels({ component: 'argocd-application' }), ...labels },
      annotations: { 'argocd.argoproj.io/sync-wave': String(wave) },
    },
    spec,
  };
}

/**
 * The app of apps: `argocd/bootstrap` from main, i.e. Argo CD's pinned install, its argocd-cm patch and
 * `argocd/apps` (projects and these Applications). Self-heal keeps it as committed; prune is off so a bad
 * commit to main can never delete Argo CD or an environment's Application: removals are a manual sync.
 */
export function rootApplication(): Application {
  return application(ROOT_APPLICATION, 0, {}, {
    project: PLATFORM_PROJECT,
    source: { repoURL: PLATFORM_REPOSITORY.url, targetRevision: PLATFORM_REPOSITORY.mainBranch, path: 'argocd/bootstrap' },
    destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
    syncPolicy: {
      automated: { enabled: true, prune: false, selfHeal: true, allowEmpty: false },
      // Argo CD's own CRDs exceed the 256 KiB last-applied annotation of client-side apply.
      syncOptions: ['ServerSideApply=true'],
      retry: SYNC_RETRY,
    },
    revisionHistoryLimit: 10,
  });
}

/** Crossplane core from its Helm chart, one per destination cluster, before any environment (wave -1). */
export function crossplaneApplications(envs: readonly EnvironmentConfig[]): Application[] {
  const servers = [...new Set(envs.map((e) => e.cluster.server))];
  return servers.map((server) => {
    const firstEnv = envs.find((e) => e.cluster.server === server)!.name;
    const name = servers.length === 1 ? 'crossplane' : `crossplane-${firstEnv}`;
    return application(name, -1, {}, {
      project: PLATFORM_PROJECT,
      source: {
        repoURL: CROSSPLANE_CHART.repoURL,
        chart: CROSSPLANE_CHART.chart,
        targetRevision: CROSSPLANE_CHART.version,
        helm: { releaseName: 'crossplane' },
      },
      destination: { server, namespace: CROSSPLANE_CHART.namespace },
      syncPolicy: {
        automated: { enabled: true, prune: true, selfHeal: true, allowEmpty: false },
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
        retry: SYNC_RETRY,
      },
      revisionHistoryLimit: 10,
    });
  });
}

/**
 * How an environment syncs. `features.autoSync` turns automation on. Environments that protect their cloud
 * resources (`features.orphanCloudResources`, prod) sync and self-heal automatically but never prune on their
 * own: a deletion there is a reviewed, manual "sync with prune". The reviewed merge to `env/prod` is the gate.
 */
export function environmentSyncPolicy(env: EnvironmentConfig): SyncPolicy {
  const syncOptions = [
    'CreateNamespace=true',
    // XRDs and Compositions carry large schemas; server-side apply has no annotation size limit.
    'ServerSideApply=true',
    // Deletions only after everything else is healthy, so a rename never leaves a gap.
    'PruneLast=true',
  ];
  if (!env.features.autoSync) return { syncOptions, retry: SYNC_RETRY };
  return {
    automated: { enabled: true, prune: !env.features.orphanCloudResources, selfHeal: true, allowEmpty: false },
    syncOptions,
    retry: SYNC_RETRY,
  };
}

/** One Application per environment: `dist/<env>` of branch `env/<env>`, to its cluster and namespace. */
export function environmentApplication(env: EnvironmentConfig): Application {
  return application(applicationName(env.name), 0, { [ENVIRONMENT_LABEL]: env.name }, {
    project: WORKLOADS_PROJECT,
    source: {
      repoURL: PLATFORM_REPOSITORY.url,
      targetRevision: envBranch(env.name),
      path: envDistPath(env.name),
      directory: { recurse: true },
    },
    destination: { server: env.cluster.server, namespace: env.namespace },
    syncPolicy: environmentSyncPolicy(env),
    revisionHistoryLimit: 10,
  });
}
