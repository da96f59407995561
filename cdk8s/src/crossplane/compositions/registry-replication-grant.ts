import { REGISTRY_REPLICATION_GRANT } from '../api';
import { MAX_RELEASE_REFS } from '../xr/repository-fields';
import { MAX_GRANTED_REPOSITORIES } from '../xr/registry-replication-grant-fields';
import type { KubeObject } from '../xrd';
import { MANAGEMENT, REGIONAL, TAGGED, awsBase, awsPatchSets, combine, fromXr, pipelineComposition, siblingSelector, toXr, usage, usePatchSet, type Patch } from './pipeline';
import { checkRolePolicy, githubTrustPolicy, policyFormat, registryReplicationPolicy } from './policies';

const ECR = 'ecr.aws.m.upbound.io/v1beta1';
const IAM = 'iam.aws.m.upbound.io/v1beta1';
const EXTERNAL_NAME = 'metadata.annotations[crossplane.io/external-name]';

/** The registry policy's fixed name: one per registry, so a second XR composing one collides instead of overwriting. */
export const REGISTRY_POLICY_NAME = 'registry-replication-grant';

/**
 * One CombineFromComposite per list length (patch-and-transform cannot loop): a combine is skipped while any of its
 * variables is missing and later patches overwrite earlier ones, so the one matching the list's length wins.
 */
function perRepositoryCount(leading: readonly string[], policy: (n: number) => unknown, toFieldPath: string): Patch[] {
  return Array.from({ length: MAX_GRANTED_REPOSITORIES }, (_, i) => {
    const variables = [...leading];
    for (let r = 0; r <= i; r++) variables.push('spec.region', 'spec.awsAccountId', `spec.repositoryNames[${r}]`);
    return combine(variables, policyFormat(policy(i + 1)), toFieldPath);
  });
}

function trustPolicyPatches(): Patch[] {
  return Array.from({ length: MAX_RELEASE_REFS }, (_, i) => {
    const variables = ['spec.awsAccountId'];
    for (let r = 0; r <= i; r++) {
      const g = 'spec.checkRole.github';
      variables.push(`${g}.repository`, `${g}.environment`, `${g}.repository`, `${g}.workflow`, `${g}.allowedRefs[${r}]`);
    }
    return combine(variables, policyFormat(githubTrustPolicy(i + 1)), 'spec.forProvider.assumeRolePolicy');
  });
}

/** The Composition of the `RegistryReplicationGrant` XR: the registry policy and the promote check role. */
export function registryReplicationGrantComposition(): KubeObject {
  const policyBase = awsBase(ECR, 'RegistryPolicy', 'registry-policy', { forProvider: {} });
  return pipelineComposition(REGISTRY_REPLICATION_GRANT, awsPatchSets, [
    {
      name: 'registry-policy',
      base: { ...policyBase, metadata: { ...(policyBase.metadata as Record<string, unknown>), name: REGISTRY_POLICY_NAME } },
      patches: [
        usePatchSet(MANAGEMENT),
        usePatchSet(REGIONAL),
        ...perRepositoryCount(['spec.sourceAccountId'], registryReplicationPolicy, 'spec.forProvider.policy'),
      ],
    },
    {
      name: 'check-role',
      base: awsBase(IAM, 'Role', 'check-role', { forProvider: { maxSessionDuration: 3600, path: '/' } }),
      patches: [
        usePatchSet(MANAGEMENT),
        usePatchSet(TAGGED),
        fromXr('spec.checkRole.name', EXTERNAL_NAME),
        combine(['spec.checkRole.github.repository'], 'GitHub Actions of %s check that a promoted image has replicated here (read-only)', 'spec.forProvider.description'),
        ...trustPolicyPatches(),
        toXr('status.atProvider.arn', 'status.checkRoleArn'),
      ],
    },
    {
      name: 'check-policy',
      base: awsBase(IAM, 'RolePolicy', 'check-policy', { forProvider: { roleSelector: siblingSelector('check-role') } }),
      patches: [usePatchSet(MANAGEMENT), ...perRepositoryCount([], checkRolePolicy, 'spec.forProvider.policy')],
    },
    usage(
      'usage-check-role-by-check-policy',
      { apiVersion: IAM, kind: 'Role', role: 'check-role' },
      { apiVersion: IAM, kind: 'RolePolicy', role: 'check-policy' },
      'IAM refuses to delete a role that still has an inline policy',
    ),
  ]);
}
