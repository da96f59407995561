import { join } from 'node:path';
import { Testing } from 'cdk8s';
import type { EnvironmentConfig } from './environment';
import { EnvironmentConfigError } from './errors';
import { loadEnvironments } from './load';
import { promotionOrigin, registryRoles } from './promotion';
import { AwsResourcesChart } from '../crossplane/charts';

const repoRoot = join(__dirname, '..', '..', '..');
const envs = loadEnvironments(repoRoot);
const byName = (name: string): EnvironmentConfig => envs.find((e) => e.name === name)!;

/** A copy of an environment with some fields replaced. */
function variant(name: string, patch: Partial<EnvironmentConfig>): EnvironmentConfig {
  return { ...structuredClone(byName(name)), ...patch };
}

describe('registry roles of the environments as configured (dev -> staging -> prod)', () => {
  const roles = registryRoles(envs);

  it("dev's registry replicates the platform's repositories to staging's and prod's accounts", () => {
    expect(roles.get('dev')).toEqual({
      replicates: {
        destinations: [
          { accountId: byName('staging').aws.accountId, region: 'eu-west-1' },
          { accountId: byName('prod').aws.accountId, region: 'eu-west-1' },
        ],
        repositories: ['metrics-app'],
      },
      receives: undefined,
    });
  });

  it("staging and prod accept exactly dev's account (ECR does not replicate a replica further)", () => {
    for (const name of ['staging', 'prod']) {
      expect(roles.get(name)).toMatchObject({
        replicates: undefined,
        receives: {
          sourceEnvironment: 'dev',
          source: { accountId: byName('dev').aws.accountId },
          repositories: ['metrics-app'],
        },
      });
    }
    expect(promotionOrigin(byName('prod'), envs).name).toBe('dev');
  });

  it('renders one RegistryReplication in dev and one RegistryReplicationGrant in staging and prod', () => {
    const kinds = (env: EnvironmentConfig) =>
      (Testing.synth(new AwsResourcesChart(Testing.app(), 'a', { env, environments: envs })) as { kind: string }[])
        .map((o) => o.kind)
        .filter((k) => k.startsWith('Registry'));
    expect(kinds(byName('dev'))).toEqual(['RegistryReplication']);
    expect(kinds(byName('staging'))).toEqual(['RegistryReplicationGrant']);
    expect(kinds(byName('prod'))).toEqual(['RegistryReplicationGrant']);
  });

  it('a grant carries the source account, the repositories and the check role; prod orphans it', () => {
    const [grant] = Testing.synth(
      new AwsResourcesChart(Testing.app(), 'a', { env: byName('prod'), environments: envs }),
    ).filter((o: { kind: string }) => o.kind === 'RegistryReplicationGrant') as { spec: Record<string, unknown> }[];
    expect(grant!.spec).toEqual({
      region: 'eu-west-1',
      awsAccountId: '333333333333',
      sourceAccountId: '111111111111',
      repositoryNames: ['metrics-app'],
      checkRole: {
        name: 'prod-ecr-promote-check',
        github: {
          repository: 'example-org/metrics-platform',
          environment: 'promote-prod',
          workflow: '.github/workflows/promote.yml',
          allowedRefs: ['refs/heads/main'],
        },
      },
      deletionPolicy: 'Orphan',
    });
  });
});

describe('registry roles refuse what cannot be wired', () => {
  const others = (...replaced: EnvironmentConfig[]) => [
    ...envs.filter((e) => !replaced.some((r) => r.name === e.name)),
    ...replaced,
  ];

  it('an unknown source environment', () => {
    const prod = variant('prod', { promotion: { ...byName('prod').promotion!, from: 'qa' } });
    expect(() => registryRoles(others(prod))).toThrow(
      'environments/prod.yaml: promotion.from: got "qa"; expected another environment (dev, staging)',
    );
  });

  it('a cycle', () => {
    const dev = variant('dev', { promotion: { ...byName('prod').promotion!, from: 'prod' } });
    expect(() => registryRoles(others(dev))).toThrow(
      /promotion\.from: got "\w+"; expected a chain that starts somewhere, not the cycle/,
    );
  });

  it('a destination that does not compose a replicated repository (ECR would create it with default settings)', () => {
    const staging = variant('staging', { ecr: { repositories: [] } });
    expect(() => registryRoles(others(staging))).toThrow(
      'environments/staging.yaml: ecr.repositories: got []; expected every repository dev\'s registry replicates here (missing "metrics-app")',
    );
  });

  it("two environments that would own one registry's replication settings", () => {
    const prod = variant('prod', { aws: { ...byName('staging').aws } });
    expect(() => registryRoles(others(prod))).toThrow(
      'environments/staging.yaml: aws: got account 222222222222 in eu-west-1; expected a registry of its own: environments/prod.yaml already owns',
    );
    expect(() => registryRoles(others(prod))).toThrow(EnvironmentConfigError);
  });

  it("an environment in the origin's own registry needs no replication and owns nothing", () => {
    const staging = variant('staging', { aws: { ...byName('dev').aws } });
    const roles = registryRoles(others(staging));
    expect(roles.has('staging')).toBe(false);
    expect(roles.get('dev')!.replicates!.destinations).toEqual([{ accountId: '333333333333', region: 'eu-west-1' }]);
  });

  it('loading the environments fails with the file and field', () => {
    expect(() => registryRoles([variant('staging', {})])).toThrow(
      'environments/staging.yaml: promotion.from: got "dev"; expected another environment (none)',
    );
  });
});
