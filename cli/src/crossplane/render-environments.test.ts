import { loadEnvironments } from '@metrics-platform/cdk8s/lib/config';
import { MANAGED_ADDONS, MAX_RELEASE_REFS } from '@metrics-platform/cdk8s/lib/crossplane';
import { findRepoRoot, resolveSchemasDir, SchemaRegistry } from '../validate';
import { environmentXrs, platformObjects } from './platform-objects';
import { applyDefaults } from './render/defaults';
import { schemaAt } from './schema-path';
import { getValue } from './render/fieldpath';
import { renderComposition, type Obj, type RenderResult } from './render/render';

/**
 * `crossplane render` for every environment, offline: each environment's XRs (rendered by cdk8s from the real
 * environments/*.yaml) validate against the repo's XRDs, and the managed resources their Compositions produce
 * validate FULLY against the provider CRDs (required fields and CEL rules such as forProvider.region).
 */

const repoRoot = findRepoRoot(__dirname);
if (!repoRoot) throw new Error('cannot find the repository root');
const envs = loadEnvironments(repoRoot);
const registry = SchemaRegistry.load(resolveSchemasDir());
const platform = platformObjects();
for (const o of platform) if (o.kind === 'CompositeResourceDefinition') registry.addXrd(o);
const functions = new Set(platform.filter((o) => o.kind === 'Function').map((o) => String((o.metadata as Obj).name)));

function compositionFor(xr: Obj): Obj {
  const c = platform.find((o) => o.kind === 'Composition' && getValue(o, 'spec.compositeTypeRef.kind') === xr.kind);
  if (!c) throw new Error(`no Composition for ${String(xr.kind)}`);
  return c;
}

/** What the API server stores: the XR with its XRD's defaults applied. */
function defaulted(xr: Obj): Obj {
  return applyDefaults(registry.schemaFor(String(xr.apiVersion), String(xr.kind)), xr) as Obj;
}

const problemsOf = (o: object) => registry.validate(o).map((p) => `${p.path}: ${p.message}`);

/** What the provider reports once a resource exists: the status fields the Compositions read back. */
function observe(result: RenderResult): Record<string, Obj> {
  return Object.fromEntries(
    result.resources.map((r) => [
      r.name,
      { ...r.object, status: { atProvider: { arn: `arn:aws:test:::${r.name}`, repositoryUrl: `123.dkr.ecr/${r.name}`, associationId: `a-${r.name}` } } },
    ]),
  );
}

/** Reconciles like Crossplane until the set of composed resources stops changing (bounded). */
function reconcile(xr: Obj): RenderResult[] {
  const rounds: RenderResult[] = [];
  let observed: Record<string, Obj> = {};
  let current = xr;
  for (let i = 0; i < 4; i++) {
    const r = renderComposition(compositionFor(xr), current, { observed, functions });
    rounds.push(r);
    current = { ...current, status: r.xr.status };
    observed = observe(r);
  }
  return rounds;
}

const byName = (r: RenderResult, name: string): Obj => {
  const found = r.resources.find((x) => x.name === name);
  if (!found) throw new Error(`${name} not rendered; rendered: ${r.resources.map((x) => x.name).join(', ')}`);
  return found.object;
};

describe.each(envs.map((e) => [e.name, e] as const))('environment %s', (_name, env) => {
  const xrs = environmentXrs(env);

  it('renders one Repository per ECR repository and one ClusterAddons, all valid against the XRDs', () => {
    expect(xrs.filter((x) => x.kind === 'Repository')).toHaveLength(env.ecr.repositories.length);
    expect(xrs.filter((x) => x.kind === 'ClusterAddons')).toHaveLength(1);
    for (const xr of xrs) expect(problemsOf(xr)).toEqual([]);
  });

  it('composes managed resources that validate fully against the provider and Crossplane CRDs', () => {
    for (const xr of xrs) {
      const rounds = reconcile(defaulted(xr));
      for (const round of rounds) {
        expect(round.warnings).toEqual([]);
        for (const r of round.resources) expect({ resource: r.name, problems: problemsOf(r.object) }).toEqual({ resource: r.name, problems: [] });
      }
      // Once everything is observed, nothing is held back and the XR status is complete and valid.
      const last = rounds[rounds.length - 1]!;
      expect(last.skipped).toEqual([]);
      expect(problemsOf(last.xr)).toEqual([]);
    }
  });

  it('composes ECR repositories that are immutable, scanned, KMS-encrypted, and pushable only by their GitHub repository refs', () => {
    for (const xr of xrs.filter((x) => x.kind === 'Repository')) {
      const [first] = reconcile(defaulted(xr));
      const spec = getValue(xr, 'spec') as {
        repositoryName: string;
        github: { repository: string; environment: string; workflow: string; allowedRefs: string[] };
        pushRoleName: string;
      };
      const repo = byName(first!, 'repository');
      expect(getValue(repo, 'spec.forProvider.imageTagMutability')).toBe('IMMUTABLE');
      expect(getValue(repo, 'spec.forProvider.imageScanningConfiguration.scanOnPush')).toBe(true);
      expect(getValue(repo, 'spec.forProvider.encryptionConfiguration[0].encryptionType')).toBe('KMS');
      expect(getValue(repo, 'spec.forProvider.region')).toBe(env.aws.region);
      expect(getValue(repo, 'metadata.annotations[crossplane.io/external-name]')).toBe(spec.repositoryName);

      const trust = JSON.parse(String(getValue(byName(first!, 'push-role'), 'spec.forProvider.assumeRolePolicy'))) as { Statement: { Condition: Record<string, Record<string, unknown>> }[] };
      expect(spec.github.allowedRefs.length).toBeLessThanOrEqual(MAX_RELEASE_REFS);
      // One GitHub environment of one workflow file, never a whole branch: `repo:R:ref:refs/heads/main` would trust
      // every workflow on main.
      const { repository, environment, workflow, allowedRefs } = spec.github;
      expect(trust.Statement[0]!.Condition.StringLike!['token.actions.githubusercontent.com:sub']).toEqual(
        allowedRefs.map((r) => `repo:${repository}:environment:${environment}:job_workflow_ref:${repository}/${workflow}@${r}`),
      );
      expect(environment).toBe(`ecr-${env.name}`);
      expect(trust.Statement[0]!.Condition.StringEquals!['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');

      const push = JSON.parse(String(getValue(byName(first!, 'push-policy'), 'spec.forProvider.policy'))) as { Statement: { Resource: string }[] };
      expect(push.Statement[1]!.Resource).toBe(`arn:aws:ecr:${env.aws.region}:${env.aws.accountId}:repository/${spec.repositoryName}`);
      const repoPolicy = JSON.parse(String(getValue(byName(first!, 'repository-policy'), 'spec.forProvider.policy'))) as { Statement: { Principal: { AWS: string } }[] };
      expect(repoPolicy.Statement[0]!.Principal.AWS).toBe(`arn:aws:iam::${env.aws.accountId}:role/${spec.pushRoleName}`);
      const lifecycle = JSON.parse(String(getValue(byName(first!, 'lifecycle-policy'), 'spec.forProvider.policy'))) as { rules: { selection: { countNumber: number } }[] };
      expect(lifecycle.rules.map((r) => r.selection.countNumber)).toEqual([7, 50]);
    }
  });

  it('tags every AWS resource that takes tags with the platform and its environment namespace', () => {
    let tagged = 0;
    for (const xr of xrs) {
      for (const r of reconcile(defaulted(xr)).at(-1)!.resources) {
        const apiVersion = String(r.object.apiVersion);
        if (!apiVersion.includes('.aws.m.upbound.io/')) continue;
        const takesTags = schemaAt(registry.schemaFor(apiVersion, String(r.object.kind)), 'spec.forProvider.tags') !== undefined;
        const tags = getValue(r.object, 'spec.forProvider.tags');
        if (!takesTags) {
          expect({ resource: r.name, tags }).toEqual({ resource: r.name, tags: undefined });
          continue;
        }
        tagged++;
        expect({ resource: r.name, tags }).toEqual({
          resource: r.name,
          tags: {
            'platform.example.org/managed-by': 'crossplane',
            'platform.example.org/part-of': 'metrics-platform',
            'platform.example.org/namespace': env.namespace,
          },
        });
      }
    }
    // KMS key, ECR repository and push role per repository; 5 add-ons, the EBS CSI role and its association.
    expect(tagged).toBe(3 * env.ecr.repositories.length + 7);
  });

  it(`${env.features.orphanCloudResources ? 'orphans' : 'deletes'} cloud resources on XR deletion, as features.orphanCloudResources says`, () => {
    const expected = env.features.orphanCloudResources ? ['Observe', 'Create', 'Update', 'LateInitialize'] : ['*'];
    for (const xr of xrs) {
      for (const r of reconcile(defaulted(xr)).at(-1)!.resources) {
        if (r.object.kind === 'Usage') continue;
        expect({ resource: r.name, policies: getValue(r.object, 'spec.managementPolicies') }).toEqual({ resource: r.name, policies: expected });
      }
    }
  });

  it('installs every managed add-on at its environment version, the EBS CSI driver only after Pod Identity is ready', () => {
    const xr = xrs.find((x) => x.kind === 'ClusterAddons')!;
    const rounds = reconcile(defaulted(xr));
    const ebs = `addon-${MANAGED_ADDONS.ebsCsiDriver}`;
    // First reconcile: the gate is closed, the driver is held back.
    expect(rounds[0]!.resources.map((r) => r.name)).not.toContain(ebs);
    expect(rounds[0]!.skipped.map((s) => s.name)).toEqual([ebs]);
    const last = rounds.at(-1)!;
    for (const eksName of Object.values(MANAGED_ADDONS)) {
      const addon = byName(last, `addon-${eksName}`);
      expect(getValue(addon, 'spec.forProvider.addonVersion')).toBe(env.addons[eksName]);
      expect(getValue(addon, 'spec.forProvider.clusterName')).toBe(env.cluster.name);
      expect(getValue(addon, 'spec.forProvider.preserve')).toBe(true);
      expect(getValue(addon, 'metadata.annotations[crossplane.io/external-name]')).toBe(eksName);
    }
    const association = byName(last, 'ebs-csi-pod-identity');
    expect(getValue(association, 'spec.forProvider.serviceAccount')).toBe('ebs-csi-controller-sa');
    const trust = JSON.parse(String(getValue(byName(last, 'ebs-csi-role'), 'spec.forProvider.assumeRolePolicy'))) as {
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

describe('render checks catch an XR the XRD rejects', () => {
  const [env] = envs;
  const xr = environmentXrs(env!).find((x) => x.kind === 'Repository')!;

  it('a Repository without its required repositoryName', () => {
    const broken = structuredClone(xr);
    delete (broken.spec as Obj).repositoryName;
    expect(problemsOf(broken).join('\n')).toMatch(/spec.*repositoryName/);
  });

  // IAM's StringLike `*` also matches `/`: each of these trusts refs beyond what it seems to say.
  it.each(['refs/heads/*', 'refs/heads/**', 'refs/heads/*/*', 'refs/heads/release-*', 'refs/tags/*', 'refs/tags/**', 'refs/tags/release/*', 'refs/tags/v*/x', 'refs/heads//main'])(
    'a Repository whose allowedRefs include %s (CEL rule of the XRD)',
    (ref) => {
      const broken = structuredClone(xr);
      ((broken.spec as Obj).github as Obj).allowedRefs = ['refs/heads/main', ref];
      expect(problemsOf(broken).join('\n')).toMatch(/allowedRefs must be exact refs/);
    },
  );

  it.each([['refs/heads/main'], ['refs/heads/release/v1'], ['refs/tags/v1.2.3'], ['refs/tags/v*'], ['refs/tags/release/v*']])('a Repository may allow %s', (ref) => {
    const ok = structuredClone(xr);
    ((ok.spec as Obj).github as Obj).allowedRefs = [ref];
    expect(problemsOf(ok)).toEqual([]);
  });

  it('a managed resource missing the region the provider CRD requires', () => {
    const [first] = reconcile(defaulted(xr));
    const repo = structuredClone(byName(first!, 'repository'));
    delete ((repo.spec as Obj).forProvider as Obj).region;
    expect(problemsOf(repo).join('\n')).toMatch(/region/);
  });
});
