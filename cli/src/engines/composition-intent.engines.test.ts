/**
 * What the Compositions must make, checked on what Crossplane's real engine and functions make of each
 * environment's XRs (from the real environments/*.yaml through the real cdk8s chart): ECR repositories immutable,
 * scanned, KMS-encrypted, pushable only by one GitHub environment of one workflow at exact refs; every taggable
 * resource tagged; deletion as features.orphanCloudResources says; add-ons at their versions, the EBS CSI driver
 * only once Pod Identity is ready. And the XRD's rules, judged by the API server against the CRD Crossplane derives.
 */
import { join } from 'node:path';
import { loadEnvironments, type EnvironmentConfig } from '@metrics-platform/cdk8s/lib/config';
import { MANAGED_ADDONS } from '@metrics-platform/cdk8s/lib/crossplane/xr/cluster-addons-fields';
import { MAX_RELEASE_REFS } from '@metrics-platform/cdk8s/lib/crossplane/xr/repository-fields';
import { environmentXrs } from '../crossplane/platform-objects';
import { schemaAt } from '../crossplane/schema-path';
import { resolveSchemasDir, SchemaRegistry } from '../validate';
import { crdsOfXrds } from './bootstrap';
import { compositionFor, xrdFor, type RenderOutput } from './crossplane-render';
import type { Engines } from './ensure';
import { KubeError, type KubeApi, type KubeObject } from './kube-api';
import { LocalCluster } from './local-cluster';
import { loadYamlDir } from './sync-order';
import { engines as loadEngines, installCrds, repoRoot } from './testing/engine-context';
import { reconcile, resourceName } from './testing/reconcile';

jest.setTimeout(180_000);

const platform = loadYamlDir(join(repoRoot(), 'crossplane'));
const compositions = platform.filter((o) => o.kind === 'Composition');
const xrds = platform.filter((o) => o.kind === 'CompositeResourceDefinition');
const envs = loadEnvironments(repoRoot());
const registry = SchemaRegistry.load(resolveSchemasDir({ repoRoot: repoRoot() }));

function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.match(/[^.[\]]+|\[[^\]]+\]/g) ?? []) {
    const key = part.startsWith('[') ? part.slice(1, -1) : part;
    cur = (cur as Record<string, unknown> | undefined)?.[/^\d+$/.test(key) && Array.isArray(cur) ? Number(key) : key];
  }
  return cur;
}

const byName = (r: RenderOutput, name: string): KubeObject => {
  const found = r.composed.find((o) => resourceName(o) === name);
  if (!found) throw new Error(`${name} not composed; composed: ${r.composed.map(resourceName).join(', ')}`);
  return found;
};

let e: Engines;
beforeAll(async () => {
  e = await loadEngines();
});

async function reconciled(xr: KubeObject): Promise<RenderOutput[]> {
  const xrd = xrdFor(xr, xrds)!;
  const { rounds } = await reconcile(e, xr, compositionFor(xr, xrd, compositions)!, xrd);
  for (const r of rounds) expect({ error: r.error, fatal: r.fatal }).toEqual({ error: undefined, fatal: undefined });
  return [...rounds];
}

describe.each(envs.map((env) => [env.name, env] as const))('environment %s', (_name, env: EnvironmentConfig) => {
  const xrs = environmentXrs(env, envs) as KubeObject[];

  it('renders one Repository per ECR repository and one ClusterAddons', () => {
    expect(xrs.filter((x) => x.kind === 'Repository')).toHaveLength(env.ecr.repositories.length);
    expect(xrs.filter((x) => x.kind === 'ClusterAddons')).toHaveLength(1);
  });

  it('composes ECR repositories immutable, scanned, KMS-encrypted, pushable only by one job of their GitHub repository', async () => {
    for (const xr of xrs.filter((x) => x.kind === 'Repository')) {
      const [first] = await reconciled(xr);
      const spec = xr.spec as {
        repositoryName: string;
        github: { repository: string; environment: string; workflow: string; allowedRefs: string[] };
        pushRoleName: string;
      };
      const repo = byName(first!, 'repository');
      expect(get(repo, 'spec.forProvider.imageTagMutability')).toBe('IMMUTABLE');
      expect(get(repo, 'spec.forProvider.imageScanningConfiguration.scanOnPush')).toBe(true);
      expect(get(repo, 'spec.forProvider.encryptionConfiguration[0].encryptionType')).toBe('KMS');
      expect(get(repo, 'spec.forProvider.region')).toBe(env.aws.region);
      expect(get(repo, 'metadata.annotations[crossplane.io/external-name]')).toBe(spec.repositoryName);

      const trust = JSON.parse(String(get(byName(first!, 'push-role'), 'spec.forProvider.assumeRolePolicy'))) as {
        Statement: { Condition: Record<string, Record<string, unknown>> }[];
      };
      expect(spec.github.allowedRefs.length).toBeLessThanOrEqual(MAX_RELEASE_REFS);
      const { repository, environment, workflow, allowedRefs } = spec.github;
      expect(trust.Statement[0]!.Condition.StringLike!['token.actions.githubusercontent.com:sub']).toEqual(
        allowedRefs.map(
          (r) => `repo:${repository}:environment:${environment}:job_workflow_ref:${repository}/${workflow}@${r}`,
        ),
      );
      expect(trust.Statement[0]!.Condition.StringEquals!['token.actions.githubusercontent.com:aud']).toBe(
        'sts.amazonaws.com',
      );
      const push = JSON.parse(String(get(byName(first!, 'push-policy'), 'spec.forProvider.policy'))) as {
        Statement: { Resource: string }[];
      };
      expect(push.Statement[1]!.Resource).toBe(
        `arn:aws:ecr:${env.aws.region}:${env.aws.accountId}:repository/${spec.repositoryName}`,
      );
      const repoPolicy = JSON.parse(String(get(byName(first!, 'repository-policy'), 'spec.forProvider.policy'))) as {
        Statement: { Principal: { AWS: string } }[];
      };
      expect(repoPolicy.Statement[0]!.Principal.AWS).toBe(
        `arn:aws:iam::${env.aws.accountId}:role/${spec.pushRoleName}`,
      );
      // Whole numbers, not %!d(float64=7): the XR's integers reach the function as float64.
      const lifecycle = JSON.parse(String(get(byName(first!, 'lifecycle-policy'), 'spec.forProvider.policy'))) as {
        rules: { selection: { countNumber: number } }[];
      };
      expect(lifecycle.rules.map((r) => r.selection.countNumber)).toEqual([7, 50]);
    }
  });

  it('tags every AWS resource that takes tags with the platform and its environment namespace', async () => {
    let tagged = 0;
    for (const xr of xrs) {
      for (const o of (await reconciled(xr)).at(-1)!.composed) {
        if (!o.apiVersion.includes('.aws.m.upbound.io/')) continue;
        const takesTags = schemaAt(registry.schemaFor(o.apiVersion, o.kind), 'spec.forProvider.tags') !== undefined;
        const tags = get(o, 'spec.forProvider.tags');
        if (!takesTags) {
          expect({ resource: resourceName(o), tags }).toEqual({ resource: resourceName(o), tags: undefined });
          continue;
        }
        tagged++;
        expect({ resource: resourceName(o), tags }).toEqual({
          resource: resourceName(o),
          tags: {
            'platform.example.org/managed-by': 'crossplane',
            'platform.example.org/part-of': 'metrics-platform',
            'platform.example.org/namespace': env.namespace,
          },
        });
      }
    }
    // KMS key, ECR repository and push role per repository; 5 add-ons, the EBS CSI role and its association; in an
    // environment images are promoted into, the read-only check role of its replication grant.
    expect(tagged).toBe(3 * env.ecr.repositories.length + 7 + (env.promotion === undefined ? 0 : 1));
  });

  it(`${env.features.orphanCloudResources ? 'orphans' : 'deletes'} cloud resources on XR deletion, as features.orphanCloudResources says`, async () => {
    const expected = env.features.orphanCloudResources ? ['Observe', 'Create', 'Update', 'LateInitialize'] : ['*'];
    for (const xr of xrs) {
      for (const o of (await reconciled(xr)).at(-1)!.composed) {
        if (o.kind === 'Usage') continue;
        expect({ resource: resourceName(o), policies: get(o, 'spec.managementPolicies') }).toEqual({
          resource: resourceName(o),
          policies: expected,
        });
      }
    }
  });

  it('replicates the repositories to the registries images are promoted into, which allow exactly the source account', async () => {
    const downstream = envs.filter((d) => d.promotion !== undefined && d.name !== env.name);
    const replication = xrs.find((x) => x.kind === 'RegistryReplication');
    const grant = xrs.find((x) => x.kind === 'RegistryReplicationGrant');
    if (replication !== undefined) {
      const config = byName((await reconciled(replication)).at(-1)!, 'replication-configuration');
      const rules = get(config, 'spec.forProvider.replicationConfiguration.rule') as {
        destination: { registryId: string; region: string }[];
        repositoryFilter: { filter: string }[];
      }[];
      expect(rules.flatMap((r) => r.destination.map((d) => `${d.registryId}/${d.region}`)).sort()).toEqual(
        downstream.map((d) => `${d.aws.accountId}/${d.aws.region}`).sort(),
      );
      expect(rules.flatMap((r) => r.repositoryFilter.map((f) => f.filter)).sort()).toEqual(
        env.ecr.repositories.map((r) => r.name).sort(),
      );
    }
    if (grant !== undefined) {
      const source = (grant.spec as { sourceAccountId: string }).sourceAccountId;
      expect(envs.some((s) => s.aws.accountId === source && s.promotion === undefined)).toBe(true);
      const policy = JSON.parse(
        String(get(byName((await reconciled(grant)).at(-1)!, 'registry-policy'), 'spec.forProvider.policy')),
      ) as {
        Statement: { Principal: { AWS: string }; Action: string | string[]; Resource: string[] }[];
      };
      expect(policy.Statement).toHaveLength(1);
      expect(policy.Statement[0]!.Principal.AWS).toBe(`arn:aws:iam::${source}:root`);
      expect(policy.Statement[0]!.Action).toBe('ecr:ReplicateImage');
      expect(policy.Statement[0]!.Resource).toEqual(
        env.ecr.repositories.map((r) => `arn:aws:ecr:${env.aws.region}:${env.aws.accountId}:repository/${r.name}`),
      );
    }
    expect(replication !== undefined || grant !== undefined).toBe(true);
  });

  it('installs every managed add-on at its environment version, the EBS CSI driver only after Pod Identity is ready', async () => {
    const xr = xrs.find((x) => x.kind === 'ClusterAddons')!;
    const rounds = await reconciled(xr);
    const ebs = `addon-${MANAGED_ADDONS.ebsCsiDriver}`;
    // First reconcile: the gate is closed; the function holds the driver back and says why.
    expect(rounds[0]!.composed.map(resourceName)).not.toContain(ebs);
    expect(rounds[0]!.events).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        message: expect.stringContaining(`not adding new composed resource "${ebs}"`),
      }),
    );
    const last = rounds.at(-1)!;
    for (const eksName of Object.values(MANAGED_ADDONS)) {
      const addon = byName(last, `addon-${eksName}`);
      expect(get(addon, 'spec.forProvider.addonVersion')).toBe(env.addons[eksName as keyof typeof env.addons]);
      expect(get(addon, 'spec.forProvider.clusterName')).toBe(env.cluster.name);
      expect(get(addon, 'spec.forProvider.preserve')).toBe(true);
      expect(get(addon, 'metadata.annotations[crossplane.io/external-name]')).toBe(eksName);
    }
    expect(get(byName(last, 'ebs-csi-pod-identity'), 'spec.forProvider.serviceAccount')).toBe('ebs-csi-controller-sa');
    const trust = JSON.parse(String(get(byName(last, 'ebs-csi-role'), 'spec.forProvider.assumeRolePolicy'))) as {
      Statement: { Condition: { StringEquals: Record<string, string> } }[];
    };
    expect(trust.Statement[0]!.Condition.StringEquals).toEqual({
      'aws:SourceAccount': env.aws.accountId,
      'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${env.aws.region}:${env.aws.accountId}:cluster/${env.cluster.name}`,
      'aws:RequestTag/kubernetes-namespace': 'kube-system',
      'aws:RequestTag/kubernetes-service-account': 'ebs-csi-controller-sa',
    });
  });
});

describe("the XRD's rules, judged by the API server against the CRD Crossplane derives", () => {
  let cluster: LocalCluster;
  let api: KubeApi;
  const xr = (environmentXrs(envs[0]!, envs) as KubeObject[]).find((x) => x.kind === 'Repository')!;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ etcd: e.bins.etcd, kubeApiserver: e.bins['kube-apiserver'] });
    api = cluster.api();
    // Not owned by a stored XRD here: the owner reference (by uid) is the controller's business.
    const crds = (await crdsOfXrds(e, xrds)).map((c) => ({
      ...c,
      metadata: { ...c.metadata, ownerReferences: undefined },
    }));
    await installCrds(api, crds);
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: String(xr.metadata.namespace) } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const rejection = async (o: KubeObject): Promise<string> => {
    try {
      await api.create(o, { dryRun: true });
      return '';
    } catch (err) {
      if (err instanceof KubeError) return err.message;
      throw err;
    }
  };

  it('admits the Repository as rendered', async () => {
    expect(await rejection(xr)).toBe('');
  });

  it('refuses a Repository without its required repositoryName', async () => {
    const broken = structuredClone(xr);
    delete (broken.spec as Record<string, unknown>).repositoryName;
    expect(await rejection(broken)).toMatch(/repositoryName/);
  });

  // IAM's StringLike `*` also matches `/`: each of these trusts refs beyond what it seems to say.
  it.each([
    'refs/heads/*',
    'refs/heads/**',
    'refs/heads/*/*',
    'refs/heads/release-*',
    'refs/tags/*',
    'refs/tags/**',
    'refs/tags/release/*',
    'refs/tags/v*/x',
    'refs/heads//main',
  ])('refuses allowedRefs with %s (the XRD CEL rule)', async (ref) => {
    const broken = structuredClone(xr);
    ((broken.spec as Record<string, unknown>).github as Record<string, unknown>).allowedRefs = ['refs/heads/main', ref];
    expect(await rejection(broken)).toMatch(/allowedRefs must be exact refs/);
  });

  it.each(['refs/heads/main', 'refs/heads/release/v1', 'refs/tags/v1.2.3', 'refs/tags/v*', 'refs/tags/release/v*'])(
    'admits allowedRefs [%s]',
    async (ref) => {
      const ok = structuredClone(xr);
      ((ok.spec as Record<string, unknown>).github as Record<string, unknown>).allowedRefs = [ref];
      expect(await rejection(ok)).toBe('');
    },
  );
});
