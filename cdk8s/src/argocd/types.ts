/** The subset of the Argo CD v3.5 API this package generates (argoproj.io/v1alpha1). */

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly finalizers?: string[];
}

export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

export interface ApplicationDestination {
  readonly server: string;
  readonly namespace: string;
}

export interface AppProject {
  readonly apiVersion: 'argoproj.io/v1alpha1';
  readonly kind: 'AppProject';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly description: string;
    readonly sourceRepos: string[];
    readonly destinations: ApplicationDestination[];
    readonly clusterResourceWhitelist: GroupKind[];
    readonly namespaceResourceWhitelist?: GroupKind[];
    readonly orphanedResources: { readonly warn: boolean };
  };
}

export interface RetryStrategy {
  readonly limit: number;
  readonly backoff: { readonly duration: string; readonly factor: number; readonly maxDuration: string };
}

export interface SyncPolicy {
  readonly automated?: { readonly enabled: boolean; readonly prune: boolean; readonly selfHeal: boolean; readonly allowEmpty: boolean };
  readonly syncOptions: string[];
  readonly retry: RetryStrategy;
}

export interface ApplicationSource {
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly path?: string;
  readonly chart?: string;
  readonly helm?: { readonly releaseName: string; readonly valuesObject?: Record<string, unknown> };
  readonly directory?: { readonly recurse: boolean };
}

export interface Application {
  readonly apiVersion: 'argoproj.io/v1alpha1';
  readonly kind: 'Application';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly project: string;
    readonly source: ApplicationSource;
    readonly destination: ApplicationDestination;
    readonly syncPolicy: SyncPolicy;
    readonly revisionHistoryLimit: number;
  };
}
