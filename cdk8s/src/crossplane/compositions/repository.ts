import { REPOSITORY } from '../api';
import { MAX_RELEASE_REFS } from '../xr/repository-fields';
import type { KubeObject } from '../xrd';
import { MANAGEMENT, REGIONAL, TAGGED, awsBase, awsPatchSets, combine, fromXr, pipelineComposition, siblingSelector, toXr, usage, usePatchSet, type Patch } from './pipeline';
import { githubTrustPolicy, lifecyclePolicy, policyFormat, pushRolePolicy, repositoryPolicy } from './policies';

const ECR = 'ecr.aws.m.upbound.io/v1beta1';
const IAM = 'iam.aws.m.upbound.io/v1beta1';
const KMS = 'kms.aws.m.upbound.io/v1beta1';
const EXTERNAL_NAME = 'metadata.annotations[crossplane.io/external-name]';

/**
 * The trust policy lists one `sub` per allowed ref. Patch-and-transform cannot loop over a list, so there is one
 * CombineFromComposite per list length: a combine is skipped while any variable is missing, and later patches
 * overwrite earlier ones, so the one matching the actual length wins. The XRD caps the list at MAX_RELEASE_REFS.
 */
function trustPolicyPatches(): Patch[] {
  return Array.from({ length: MAX_RELEASE_REFS }, (_, i) => {
    const refs = i + 1;
    const variables = ['spec.awsAccountId'];
    for (let r = 0; r < refs; r++) {
      // In GITHUB_SUB_FORMAT's order.
      variables.push('spec.github.repository', 'spec.github.environment', 'spec.github.repository', 'spec.github.workflow', `spec.github.allowedRefs[${r}]`);
    }
    return combine(variables, policyFormat(githubTrustPolicy(refs)), 'spec.forProvider.assumeRolePolicy');
  });
}

/** The Composition of the `Repository` XR. */
export function repositoryComposition(): KubeObject {
  return pipelineComposition(REPOSITORY, awsPatchSets, [
    {
      // A key per repository: its policy, rotation and deletion follow the repository's life, and deleting one
      // repository never touches another's images. (A KMS key costs about 1 USD a month.)
      name: 'kms-key',
      base: awsBase(KMS, 'Key', 'kms-key', {
        forProvider: { keyUsage: 'ENCRYPT_DECRYPT', enableKeyRotation: true, isEnabled: true },
      }),
      patches: [
        usePatchSet(MANAGEMENT),
        usePatchSet(REGIONAL),
        usePatchSet(TAGGED),
        combine(['spec.repositoryName'], 'Encrypts the images of ECR repository %s', 'spec.forProvider.description'),
        fromXr('spec.encryption.keyDeletionWindowDays', 'spec.forProvider.deletionWindowInDays'),
        toXr('status.atProvider.arn', 'status.kmsKeyArn'),
      ],
    },
    {
      name: 'repository',
      base: awsBase(ECR, 'Repository', 'repository', {
        forProvider: {
          imageTagMutability: 'IMMUTABLE',
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfiguration: [{ encryptionType: 'KMS', kmsKeySelector: siblingSelector('kms-key') }],
          forceDelete: false,
        },
      }),
      patches: [
        usePatchSet(MANAGEMENT),
        usePatchSet(REGIONAL),
        usePatchSet(TAGGED),
        fromXr('spec.repositoryName', EXTERNAL_NAME),
        toXr('status.atProvider.repositoryUrl', 'status.repositoryUrl'),
        toXr('status.atProvider.arn', 'status.repositoryArn'),
      ],
    },
    {
      name: 'lifecycle-policy',
      base: awsBase(ECR, 'LifecyclePolicy', 'lifecycle-policy', { forProvider: { repositorySelector: siblingSelector('repository') } }),
      patches: [
        usePatchSet(MANAGEMENT),
        usePatchSet(REGIONAL),
        combine(['spec.lifecycle.untaggedExpiryDays', 'spec.lifecycle.keepReleases'], policyFormat(lifecyclePolicy), 'spec.forProvider.policy'),
      ],
    },
    {
      name: 'repository-policy',
      base: awsBase(ECR, 'RepositoryPolicy', 'repository-policy', { forProvider: { repositorySelector: siblingSelector('repository') } }),
      patches: [
        usePatchSet(MANAGEMENT),
        usePatchSet(REGIONAL),
        combine(['spec.awsAccountId', 'spec.pushRoleName', 'spec.awsAccountId'], policyFormat(repositoryPolicy), 'spec.forProvider.policy'),
      ],
    },
    {
      name: 'push-role',
      base: awsBase(IAM, 'Role', 'push-role', { forProvider: { maxSessionDuration: 3600, path: '/' } }),
      patches: [
        usePatchSet(MANAGEMENT),
        usePatchSet(TAGGED),
        fromXr('spec.pushRoleName', EXTERNAL_NAME),
        combine(['spec.github.repository', 'spec.repositoryName'], 'GitHub Actions of %s push to ECR repository %s', 'spec.forProvider.description'),
        ...trustPolicyPatches(),
        toXr('status.atProvider.arn', 'status.pushRoleArn'),
      ],
    },
    {
      name: 'push-policy',
      base: awsBase(IAM, 'RolePolicy', 'push-policy', { forProvider: { roleSelector: siblingSelector('push-role') } }),
      patches: [
        usePatchSet(MANAGEMENT),
        combine(['spec.region', 'spec.awsAccountId', 'spec.repositoryName'], policyFormat(pushRolePolicy), 'spec.forProvider.policy'),
      ],
    },
    usage(
      'usage-kms-key-by-repository',
      { apiVersion: KMS, kind: 'Key', role: 'kms-key' },
      { apiVersion: ECR, kind: 'Repository', role: 'repository' },
      'the KMS key must outlive the repository whose images it encrypts',
    ),
    usage(
      'usage-push-role-by-push-policy',
      { apiVersion: IAM, kind: 'Role', role: 'push-role' },
      { apiVersion: IAM, kind: 'RolePolicy', role: 'push-policy' },
      'IAM refuses to delete a role that still has an inline policy',
    ),
  ]);
}
