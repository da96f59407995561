import { ApiObject, App, Chart, type JsonPatch } from 'cdk8s';
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
import { markDeepFrozen } from '../yaml-emitter';

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
  if (platformApi === undefined) {
    platformApi = {
      packages: [...runtimeConfigs(), ...providers(), ...functions()],
      definitions: [...xrds(), ...compositions()],
    };
    for (const o of [...platformApi.packages, ...platformApi.definitions]) if (isPlainJson(o)) sharedProps.add(o);
  }
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
    const id = `${o.kind}-${ns}${o.metadata.name}`;
    if (sharedProps.has(o)) new SharedApiObject(scope, id, o);
    else new ApiObject(scope, id, o);
  }
}

/** The props of sharedPlatformApi(): plain JSON data, added to every environment's chart, never written to. */
const sharedProps = new WeakSet<KubeObject>();
/** Per shared props, the JSON cdk8s rendered for it, by the metadata (and key order) it was rendered with. */
const renderedShared = new WeakMap<KubeObject, Map<string, unknown>>();

function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).every((v) => v === undefined || isPlainJson(v));
  }
  return false;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * An ApiObject of a shared platform API object: cdk8s renders its JSON once per distinct metadata (the sync-wave
 * annotations are the same in every environment) instead of once per environment, 0.5 s of CPU at 300
 * environments for the Compositions alone. The first render is cdk8s's own `toJson()`; a later one with the same
 * props (the same plain-data object, no tokens to resolve), the same resolved metadata, no JSON patches, only the
 * built-in resolvers and the same key-sorting setting returns that result, deep-frozen so that no caller can change
 * what another receives.
 */
class SharedApiObject extends ApiObject {
  private patched = false;

  constructor(
    scope: Construct,
    id: string,
    private readonly shared: KubeObject,
  ) {
    super(scope, id, shared);
  }

  override addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  override toJson(): unknown {
    if (this.patched || App.of(this).resolvers.length !== BUILT_IN_RESOLVERS) return super.toJson();
    const key = `${process.env.CDK8S_DISABLE_SORT ?? ''}\0${JSON.stringify(this.metadata.toJson())}`;
    let byMetadata = renderedShared.get(this.shared);
    if (byMetadata === undefined) renderedShared.set(this.shared, (byMetadata = new Map()));
    let json = byMetadata.get(key);
    if (json === undefined) {
      byMetadata.set(key, (json = deepFreeze(super.toJson())));
      if (json !== null && typeof json === 'object') markDeepFrozen(json);
    }
    return json;
  }
}
/** LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver (cdk8s adds custom ones before them). */
const BUILT_IN_RESOLVERS = 3;

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
