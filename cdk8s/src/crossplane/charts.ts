import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { ClusterAddonsXr } from './cluster-addons-xr';
import { clusterAddonsComposition } from './compositions/cluster-addons';
import { repositoryComposition } from './compositions/repository';
import { clusterAddonsXrProps, repositoryXrProps } from './environment-xrs';
import { functions, providerConfig, providers, runtimeConfigs } from './packages';
import { RepositoryXr } from './repository-xr';
import { clusterAddonsXrd, repositoryXrd, type KubeObject } from './xrd';

export interface CrossplaneChartProps {
  /** The environment whose cluster this chart is applied to. */
  readonly env: EnvironmentConfig;
}

/** The environment-independent platform API, in apply order (see SyncWave). */
export function platformApiObjects(): KubeObject[] {
  return [...runtimeConfigs(), ...providers(), ...functions(), repositoryXrd(), clusterAddonsXrd(), repositoryComposition(), clusterAddonsComposition()];
}

/** Adds plain Kubernetes objects to a chart with stable construct ids (kind, namespace, name). */
export function addObjects(scope: Construct, objects: readonly KubeObject[]): void {
  for (const o of objects) {
    const ns = typeof o.metadata.namespace === 'string' ? `${o.metadata.namespace}-` : '';
    new ApiObject(scope, `${o.kind}-${ns}${o.metadata.name}`, o);
  }
}

/**
 * Everything Crossplane needs before XRs can be used, ordered by Argo CD sync waves: runtime configs, Providers
 * and Functions, the environment namespace's ProviderConfig, XRDs, Compositions.
 */
export class PlatformApiChart extends Chart {
  constructor(scope: Construct, id: string, props: CrossplaneChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    addObjects(this, [
      ...runtimeConfigs(),
      ...providers(),
      ...functions(),
      providerConfig(props.env.namespace, props.env.name),
      repositoryXrd(),
      clusterAddonsXrd(),
      repositoryComposition(),
      clusterAddonsComposition(),
    ]);
  }
}

/** The environment's XRs: one Repository per `ecr.repositories` entry and one ClusterAddons, in the env namespace. */
export class AwsResourcesChart extends Chart {
  readonly repositories: readonly RepositoryXr[];
  readonly clusterAddons: ClusterAddonsXr;

  constructor(scope: Construct, id: string, props: CrossplaneChartProps) {
    super(scope, id, { disableResourceNameHashes: true, namespace: props.env.namespace });
    this.repositories = repositoryXrProps(props.env).map((p) => new RepositoryXr(this, `Repository-${p.name}`, p));
    this.clusterAddons = new ClusterAddonsXr(this, 'ClusterAddons', clusterAddonsXrProps(props.env));
  }
}
