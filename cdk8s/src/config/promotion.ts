import type { EnvironmentConfig } from './environment';
import { EnvironmentConfigError } from './errors';
import { MAX_GRANTED_REPOSITORIES } from '../crossplane/xr/registry-replication-grant-fields';

/**
 * How images travel between the environments' registries, derived from `promotion.from` of the environment files.
 *
 * ECR does not replicate an image that itself arrived by replication (no chains: aws/containers-roadmap#2125), so
 * every registry of a promotion chain gets its images straight from the chain's origin, the environment that
 * promotes from nobody and whose registry CI pushes to (dev): dev -> staging -> prod makes dev's registry replicate
 * to staging's and to prod's, and both of them allow exactly dev's account.
 */

/** One ECR private registry: an account in a region. */
export interface Registry {
  readonly accountId: string;
  readonly region: string;
}

/** The origin side: this environment's registry replicates these repositories to these registries. */
export interface ReplicationSource {
  readonly destinations: readonly Registry[];
  readonly repositories: readonly string[];
}

/** The destination side: this environment's registry accepts these repositories from exactly one account. */
export interface ReplicationDestination {
  readonly sourceEnvironment: string;
  readonly source: Registry;
  readonly repositories: readonly string[];
  readonly check: NonNullable<EnvironmentConfig['promotion']>;
}

export interface RegistryRoles {
  readonly replicates?: ReplicationSource;
  readonly receives?: ReplicationDestination;
}

/** ECR's limit on the destinations of one replication configuration. */
export const MAX_REPLICATION_DESTINATIONS = 25;
/** The most repositories one registry policy names (the policy template has one variant per count). */
export const MAX_REPLICATED_REPOSITORIES = MAX_GRANTED_REPOSITORIES;

const sameRegistry = (a: Registry, b: Registry) => a.accountId === b.accountId && a.region === b.region;
const registryOf = (env: EnvironmentConfig): Registry => ({ accountId: env.aws.accountId, region: env.aws.region });
const file = (env: EnvironmentConfig) => `environments/${env.name}.yaml`;

/** The environment a chain of `promotion.from` starts at (its images' registry); refuses unknown names and cycles. */
export function promotionOrigin(
  env: EnvironmentConfig,
  envs: readonly EnvironmentConfig[],
  byName: ReadonlyMap<string, EnvironmentConfig> = new Map(envs.map((e) => [e.name, e])),
): EnvironmentConfig {
  const seen = [env.name];
  let cur = env;
  // At most one step per environment: a longer walk is a cycle.
  for (let step = 0; step <= envs.length; step++) {
    const from = cur.promotion?.from;
    if (from === undefined) return cur;
    const next = byName.get(from);
    if (next === undefined || from === cur.name) {
      throw new EnvironmentConfigError(
        `${file(cur)}: promotion.from: got ${JSON.stringify(from)}; expected another environment (${[...byName.keys()].filter((n) => n !== cur.name).join(', ') || 'none'})`,
      );
    }
    if (seen.includes(from)) {
      throw new EnvironmentConfigError(
        `${file(cur)}: promotion.from: got ${JSON.stringify(from)}; expected a chain that starts somewhere, not the cycle ${[...seen, from].join(' -> ')}`,
      );
    }
    seen.push(from);
    cur = next;
  }
  throw new EnvironmentConfigError(
    `${file(env)}: promotion.from: expected a chain of at most ${envs.length} environments`,
  );
}

/**
 * What each environment's registry does for promotion: replicate (the origin of a chain), receive (every other
 * environment of the chain in another registry), both never (ECR does not chain). Throws EnvironmentConfigError
 * naming the file and field when the environments cannot be wired: an unknown or cyclic `promotion.from`, a
 * destination that does not compose a replicated repository (replication would create it with ECR's defaults:
 * mutable tags, no scan on push, AWS-managed encryption), or two environments that would own one registry's
 * replication settings (one per registry: two owners would overwrite each other).
 */
export function registryRoles(envs: readonly EnvironmentConfig[]): Map<string, RegistryRoles> {
  const problems: string[] = [];
  const destinations = new Map<string, EnvironmentConfig[]>();
  const receives = new Map<string, ReplicationDestination>();
  // Built once: promotionOrigin would otherwise build it per environment (quadratic: 2 s of a 300-environment synth).
  const byName = new Map(envs.map((e) => [e.name, e]));
  for (const env of envs) {
    if (env.promotion === undefined) continue;
    let origin: EnvironmentConfig;
    try {
      origin = promotionOrigin(env, envs, byName);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    if (sameRegistry(registryOf(origin), registryOf(env))) continue;
    const repositories = origin.ecr.repositories.map((r) => r.name);
    if (repositories.length === 0) continue;
    const composed = new Set(env.ecr.repositories.map((r) => r.name));
    const missing = repositories.filter((r) => !composed.has(r));
    if (missing.length > 0) {
      problems.push(
        `${file(env)}: ecr.repositories: got ${JSON.stringify([...composed])}; expected every repository ${origin.name}'s registry replicates here (missing ${missing.map((m) => JSON.stringify(m)).join(', ')}): replication must land in a repository this environment composes (immutable tags, scan on push, its own KMS key)`,
      );
      continue;
    }
    if (repositories.length > MAX_REPLICATED_REPOSITORIES) {
      problems.push(
        `${file(origin)}: ecr.repositories: got ${repositories.length} repositories; expected at most ${MAX_REPLICATED_REPOSITORIES} replicated to ${env.name} (one registry policy names each)`,
      );
      continue;
    }
    destinations.set(origin.name, [...(destinations.get(origin.name) ?? []), env]);
    receives.set(env.name, {
      sourceEnvironment: origin.name,
      source: registryOf(origin),
      repositories,
      check: env.promotion,
    });
  }

  const roles = new Map<string, RegistryRoles>();
  for (const env of envs) {
    const dests = destinations.get(env.name) ?? [];
    // Two destinations in one registry are one destination.
    const unique = dests
      .map(registryOf)
      .filter((r, i, all) => all.findIndex((o) => sameRegistry(o, r)) === i)
      .sort((a, b) => `${a.accountId}/${a.region}`.localeCompare(`${b.accountId}/${b.region}`));
    if (unique.length > MAX_REPLICATION_DESTINATIONS) {
      problems.push(
        `${file(env)}: aws: got ${unique.length} registries promoted from it; expected at most ${MAX_REPLICATION_DESTINATIONS} (ECR's limit on replication destinations)`,
      );
    }
    const replicates =
      unique.length > 0 ? { destinations: unique, repositories: env.ecr.repositories.map((r) => r.name) } : undefined;
    const receiving = receives.get(env.name);
    if (replicates !== undefined || receiving !== undefined) roles.set(env.name, { replicates, receives: receiving });
  }

  // Replication configuration and registry policy are one per registry: one environment owns them.
  const owners = new Map<string, string>();
  for (const env of [...envs].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!roles.has(env.name)) continue;
    const key = `${env.aws.accountId}/${env.aws.region}`;
    const other = owners.get(key);
    if (other === undefined) owners.set(key, env.name);
    else
      problems.push(
        `${file(env)}: aws: got account ${env.aws.accountId} in ${env.aws.region}; expected a registry of its own: environments/${other}.yaml already owns that registry's replication settings (one replication configuration and one registry policy per registry)`,
      );
  }
  if (problems.length > 0) throw new EnvironmentConfigError(problems.join('\n'));
  return roles;
}
