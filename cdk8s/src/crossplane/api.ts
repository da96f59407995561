/** Names of the platform API, defined once and used by the XRDs, Compositions, constructs and checks. */

/** The API group of every XR this platform offers. */
export const PLATFORM_API_GROUP = 'platform.example.org';
/** The served (and only) version of the XR kinds. */
export const PLATFORM_API_VERSION = 'v1alpha1';
export const PLATFORM_API = `${PLATFORM_API_GROUP}/${PLATFORM_API_VERSION}`;

/** Namespace where Crossplane, its providers and functions run. */
export const CROSSPLANE_NAMESPACE = 'crossplane-system';

/**
 * The namespaced ProviderConfig every composed managed resource uses. It lives in the XR's namespace, so an XR
 * (and its managed resources) can only use AWS credentials the platform put in that namespace.
 */
export const PROVIDER_CONFIG_NAME = 'default';

/** Label on composed resources naming their role in the Composition; Usage objects select by it. */
export const RESOURCE_ROLE_LABEL = `${PLATFORM_API_GROUP}/resource`;

/** How the XR kinds are named. */
export interface XrKindNames {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  /** The default (and only) Composition of the kind. */
  readonly composition: string;
}

export const REPOSITORY: XrKindNames = { kind: 'Repository', plural: 'repositories', singular: 'repository', composition: 'repository.ecr.aws' };
export const CLUSTER_ADDONS: XrKindNames = {
  kind: 'ClusterAddons',
  plural: 'clusteraddons',
  singular: 'clusteraddons',
  composition: 'clusteraddons.eks.aws',
};
export const REGISTRY_REPLICATION: XrKindNames = {
  kind: 'RegistryReplication',
  plural: 'registryreplications',
  singular: 'registryreplication',
  composition: 'registryreplication.ecr.aws',
};
export const REGISTRY_REPLICATION_GRANT: XrKindNames = {
  kind: 'RegistryReplicationGrant',
  plural: 'registryreplicationgrants',
  singular: 'registryreplicationgrant',
  composition: 'registryreplicationgrant.ecr.aws',
};
