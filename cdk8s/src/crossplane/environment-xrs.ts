import type { EnvironmentConfig } from '../config/environment';
import { registryRoles, type RegistryRoles } from '../config/promotion';
import { labelValue } from '../constructs/labels';
import type { ClusterAddonsXrProps } from './cluster-addons-xr';
import type { RegistryReplicationGrantXrProps } from './registry-replication-grant-xr';
import type { RegistryReplicationXrProps } from './registry-replication-xr';
import type { RepositoryXrProps } from './repository-xr';
import { MANAGED_ADDONS, type ClusterAddonsSpec } from './xr/cluster-addons-fields';

/** How an environment's config becomes its XRs: one Repository per `ecr.repositories` entry, one ClusterAddons. */

/** Thrown when an environment cannot be expressed as XRs; names the environment file field. */
export class EnvironmentXrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentXrError';
  }
}

const deletionPolicy = (env: EnvironmentConfig) => (env.features.orphanCloudResources ? 'Orphan' : 'Delete');

/** A DNS-1123 name for an ECR repository name (`team/metrics_app` -> `team-metrics-app`). */
export function repositoryXrName(repositoryName: string): string {
  return repositoryName.replace(/[^a-z0-9-]+/g, '-');
}

/** The push role's name: per environment and repository, so two environments sharing an account never collide. */
export function pushRoleName(env: EnvironmentConfig, repositoryName: string): string {
  const name = `${env.name}-ecr-push-${repositoryXrName(repositoryName)}`;
  if (name.length > 64) {
    throw new EnvironmentXrError(
      `environments/${env.name}.yaml: ecr.repositories[].name: got ${JSON.stringify(repositoryName)}; expected a name short enough for the IAM role "${name}" (at most 64 characters)`,
    );
  }
  return name;
}

export function repositoryXrProps(env: EnvironmentConfig): RepositoryXrProps[] {
  return env.ecr.repositories.map((r) => ({
    name: repositoryXrName(r.name),
    namespace: env.namespace,
    // Not `<name>-<env>`: a repository named like a workload must not share the workload's instance label.
    instance: labelValue(`repository-${repositoryXrName(r.name)}-${env.name}`),
    spec: {
      region: env.aws.region,
      awsAccountId: env.aws.accountId,
      repositoryName: r.name,
      github: { repository: r.githubRepository, environment: r.githubEnvironment, workflow: r.workflow, allowedRefs: r.releaseRefs },
      pushRoleName: pushRoleName(env, r.name),
      deletionPolicy: deletionPolicy(env),
    },
  }));
}

export function clusterAddonsXrProps(env: EnvironmentConfig): ClusterAddonsXrProps {
  const known = new Set<string>(Object.values(MANAGED_ADDONS));
  const unknown = Object.keys(env.addons).filter((a) => !known.has(a));
  if (unknown.length > 0) {
    throw new EnvironmentXrError(`environments/${env.name}.yaml: addons: got unknown add-on(s) ${unknown.join(', ')}; expected only ${[...known].join(', ')}`);
  }
  const version = (eksName: string): { version: string } => {
    const v = env.addons[eksName];
    if (v === undefined) throw new EnvironmentXrError(`environments/${env.name}.yaml: addons.${eksName}: got nothing; expected its EKS add-on version such as v1.19.2-eksbuild.1`);
    return { version: v };
  };
  const addons: ClusterAddonsSpec['addons'] = {
    vpcCni: version(MANAGED_ADDONS.vpcCni),
    coredns: version(MANAGED_ADDONS.coredns),
    kubeProxy: version(MANAGED_ADDONS.kubeProxy),
    podIdentityAgent: version(MANAGED_ADDONS.podIdentityAgent),
    ebsCsiDriver: version(MANAGED_ADDONS.ebsCsiDriver),
  };
  return {
    name: 'cluster-addons',
    namespace: env.namespace,
    instance: labelValue(`cluster-addons-${env.name}`),
    spec: { region: env.aws.region, awsAccountId: env.aws.accountId, clusterName: env.cluster.name, addons, deletionPolicy: deletionPolicy(env) },
  };
}

/**
 * The roles of the last set of environments that wired without problems. One synth asks for every environment of
 * one set (twice each): computing the roles once per set instead of once per question turns 300 environments from
 * 600 x 300 environment walks into 300. Only a successful computation is reused: the order of the problems an
 * unwireable set reports depends on the order of its environments, so a set with problems is recomputed each time
 * (and throws exactly as before). The roles of a set do not depend on its order (destinations are sorted, the rest
 * is per environment).
 */
let lastRoles: { readonly members: ReadonlySet<EnvironmentConfig>; readonly roles: Map<string, RegistryRoles> } | undefined;

/** What `env`'s registry does for promotion, among `environments` (`env` replaces its namesake there). */
function rolesOf(env: EnvironmentConfig, environments: readonly EnvironmentConfig[]) {
  const all = [...environments.filter((e) => e.name !== env.name), env];
  const cached = lastRoles;
  if (cached !== undefined && cached.members.size === all.length && all.every((e) => cached.members.has(e))) {
    return cached.roles.get(env.name);
  }
  const roles = registryRoles(all);
  lastRoles = { members: new Set(all), roles };
  return roles.get(env.name);
}

/** The RegistryReplication of `env`'s registry when `env` is the origin of a promotion chain, else undefined. */
export function registryReplicationXrProps(env: EnvironmentConfig, environments: readonly EnvironmentConfig[]): RegistryReplicationXrProps | undefined {
  const replicates = rolesOf(env, environments)?.replicates;
  if (replicates === undefined) return undefined;
  return {
    // One per registry (the loader refuses two environments that would own one), so the name is fixed.
    name: 'registry-replication',
    namespace: env.namespace,
    instance: labelValue(`registry-replication-${env.name}`),
    spec: {
      region: env.aws.region,
      awsAccountId: env.aws.accountId,
      destinations: replicates.destinations.map((d) => ({ registryId: d.accountId, region: d.region })),
      repositoryFilters: replicates.repositories.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' as const })),
      deletionPolicy: deletionPolicy(env),
    },
  };
}

/** The check role's name: per environment, so two environments sharing an account never collide. */
export function checkRoleName(env: EnvironmentConfig): string {
  return `${env.name}-ecr-promote-check`;
}

/** The RegistryReplicationGrant of `env`'s registry when a promotion chain replicates into it, else undefined. */
export function registryReplicationGrantXrProps(
  env: EnvironmentConfig,
  environments: readonly EnvironmentConfig[],
): RegistryReplicationGrantXrProps | undefined {
  const receives = rolesOf(env, environments)?.receives;
  if (receives === undefined) return undefined;
  const name = checkRoleName(env);
  if (name.length > 64) {
    throw new EnvironmentXrError(`environments/${env.name}.yaml: name: got ${JSON.stringify(env.name)}; expected a name short enough for the IAM role "${name}" (at most 64 characters)`);
  }
  return {
    name: 'registry-replication-grant',
    namespace: env.namespace,
    instance: labelValue(`registry-replication-grant-${env.name}`),
    spec: {
      region: env.aws.region,
      awsAccountId: env.aws.accountId,
      sourceAccountId: receives.source.accountId,
      repositoryNames: receives.repositories,
      checkRole: {
        name,
        github: {
          repository: receives.check.githubRepository,
          environment: receives.check.githubEnvironment,
          workflow: receives.check.workflow,
          allowedRefs: receives.check.refs,
        },
      },
      deletionPolicy: deletionPolicy(env),
    },
  };
}
