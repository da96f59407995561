import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { ClusterAddonsXr } from './cluster-addons-xr';
import { clusterAddonsComposition } from './compositions/cluster-addons';
import { registryReplicationComposition } from './compositions/registry-replication';
import { registryReplicationGrantComposition } from './compositions/registry-replication-grant';
import { repositoryComposition } from './compositions/repository';
import { clusterAddonsXrProps, registryReplicationGrantXrProps, registryReplicationXrProps, repositoryXrProps } from './environment-xrs';
import { functions, providerConfig, providers, runtimeConfigs } from './packages';
import { RegistryReplicationGrantXr } from './registry-replication-grant-xr';
import { RegistryReplicationXr } from './registry-replication-xr';
import { RepositoryXr } from './repository-xr';
import { clusterAddonsXrd, registryReplicationGrantXrd, registryReplicationXrd, repositoryXrd, type KubeObject } from './xrd';

export interface CrossplaneChartProps {
  /** The environment whose cluster this chart is applied to. */
  readonly env: EnvironmentConfig;
  /**
   * Every environment of the repository, `env` included: promotion wires registries across them (replication from
   * the origin of each chain, registry policies in the others).
   * @default [env]
   */
  readonly environments?: readonly EnvironmentConfig[];
}

/** The environment-independent platform API, in apply order (see SyncWave). */
export function platformApiObjects(): KubeObject[] {
  const api = sharedPlatformApi();
  return [...api.packages, ...api.definitions];
}

/**
 * The environment-independent platform API objects, built once per process: every environment's chart adds the
 * same objects (0.2 s of CPU at 300 environments to rebuild them each time). Sharing them is safe because nothing
 * writes to an object's props: cdk8s copies the metadata it annotates (labels, annotations) and resolves the rest
 * into new objects, and the charts of this package only read them.
 */
let platformApi: { readonly packages: readonly KubeObject[]; readonly definitions: readonly KubeObject[] } | undefined;
function sharedPlatformApi() {
  platformApi ??= {
    packages: [...runtimeConfigs(), ...providers(), ...functions()],
    definitions: [...xrds(), ...compositions()],
  };
  return platformApi;
}

function xrds(): KubeObject[] {
  return [repositoryXrd(), clusterAddonsXrd(), registryReplicationXrd(), registryReplicationGrantXrd()];
}

function compositions(): KubeObject[] {
  return [repositoryComposition(), clusterAddonsComposition(), registryReplicationComposition(), registryReplicationGrantComposition()];
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
    const api = sharedPlatformApi();
    addObjects(this, [...api.packages, providerConfig(props.env.namespace, props.env.name), ...api.definitions]);
  }
}

/**
 * The environment's XRs, in the env namespace: one Repository per `ecr.repositories` entry, one ClusterAddons, and
 * the registry's side of promotion: a RegistryReplication in the origin of a promotion chain, a
 * RegistryReplicationGrant in every environment it replicates to.
 */
export class AwsResourcesChart extends Chart {
  readonly repositories: readonly RepositoryXr[];
  readonly clusterAddons: ClusterAddonsXr;
  readonly registryReplication?: RegistryReplicationXr;
  readonly registryReplicationGrant?: RegistryReplicationGrantXr;

  constructor(scope: Construct, id: string, props: CrossplaneChartProps) {
    super(scope, id, { disableResourceNameHashes: true, namespace: props.env.namespace });
    this.repositories = repositoryXrProps(props.env).map((p) => new RepositoryXr(this, `Repository-${p.name}`, p));
    this.clusterAddons = new ClusterAddonsXr(this, 'ClusterAddons', clusterAddonsXrProps(props.env));
    const environments = props.environments ?? [props.env];
    const replication = registryReplicationXrProps(props.env, environments);
    if (replication !== undefined) this.registryReplication = new RegistryReplicationXr(this, 'RegistryReplication', replication);
    const grant = registryReplicationGrantXrProps(props.env, environments);
    if (grant !== undefined) this.registryReplicationGrant = new RegistryReplicationGrantXr(this, 'RegistryReplicationGrant', grant);
  }
}
