import { awsAccountIdField, awsRegionField, deletionPolicyField, immutable } from './common-fields';
import type { Fields, SpecOf } from './fields';

/** The most release refs one Repository accepts: the trust policy template has one variant per count. */
export const MAX_RELEASE_REFS = 4;

/** The user-facing fields of the `Repository` XR (an ECR repository and the GitHub Actions role that pushes to it). */
export const repositoryFields = {
  region: awsRegionField,
  awsAccountId: awsAccountIdField,
  repositoryName: {
    type: 'string',
    description: 'Name of the ECR repository, e.g. metrics-app or team/metrics-app.',
    pattern: '^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$',
    patternHint: 'an ECR repository name (lower-case letters, digits, ".", "_", "-", "/")',
    minLength: 2,
    maxLength: 256,
    validations: [immutable('repositoryName', 'ECR cannot rename a repository; create a new Repository')],
  },
  github: {
    type: 'object',
    description: 'The GitHub repository whose Actions workflows may push images, and from which refs.',
    properties: {
      repository: {
        type: 'string',
        description: 'GitHub repository allowed to push, as owner/name.',
        pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
        patternHint: 'owner/name',
        maxLength: 140,
      },
      allowedRefs: {
        type: 'array',
        description: `Git refs whose workflows may push (the OIDC token's sub claim), e.g. refs/heads/main or refs/tags/v*. At most ${MAX_RELEASE_REFS}.`,
        items: {
          type: 'string',
          description: 'A git ref: refs/heads/<branch> or refs/tags/<pattern>.',
          pattern: '^refs/(heads|tags)/[A-Za-z0-9_./*-]+$',
          patternHint: 'refs/heads/<branch> or refs/tags/<pattern>',
          // Bounded so the API server's CEL cost estimate of the list rule below stays small.
          maxLength: 255,
        },
        minItems: 1,
        maxItems: MAX_RELEASE_REFS,
        listType: 'set',
        validations: [
          {
            rule: "self.all(r, r != 'refs/heads/*' && r != 'refs/tags/*')",
            message: 'allowedRefs must name release branches or tag patterns, not every branch or every tag',
          },
        ],
      },
    },
  },
  pushRoleName: {
    type: 'string',
    description: 'Name of the IAM role GitHub Actions assumes (by OIDC) to push to this repository.',
    pattern: '^[A-Za-z0-9+=,.@_-]{1,64}$',
    patternHint: 'an IAM role name: 1-64 of A-Z a-z 0-9 + = , . @ _ -',
    maxLength: 64,
    validations: [immutable('pushRoleName', 'renaming would orphan the old role')],
  },
  lifecycle: {
    type: 'object',
    description: 'Image lifecycle policy.',
    properties: {
      untaggedExpiryDays: {
        type: 'integer',
        description: 'Untagged images (layers of overwritten builds, failed pushes) expire this many days after push.',
        minimum: 1,
        maximum: 365,
        default: 7,
      },
      keepReleases: {
        type: 'integer',
        description: 'How many tagged (release) images to keep; older ones expire.',
        minimum: 1,
        maximum: 10000,
        default: 50,
      },
    },
  },
  encryption: {
    type: 'object',
    description: 'KMS encryption: each repository has its own customer-managed key with rotation on.',
    properties: {
      keyDeletionWindowDays: {
        type: 'integer',
        description: 'Waiting period before AWS deletes the KMS key after its deletion is requested.',
        minimum: 7,
        maximum: 30,
        default: 30,
      },
    },
  },
  deletionPolicy: deletionPolicyField,
} as const satisfies Fields;

/** Fields the Composition writes back into the XR's status. */
export const repositoryStatusFields = {
  repositoryUrl: { type: 'string', optional: true, description: 'Registry URL to push to: <account>.dkr.ecr.<region>.amazonaws.com/<name>.' },
  repositoryArn: { type: 'string', optional: true, description: 'ARN of the ECR repository.' },
  pushRoleArn: { type: 'string', optional: true, description: 'ARN of the role GitHub Actions assumes (aws-actions/configure-aws-credentials role-to-assume).' },
  kmsKeyArn: { type: 'string', optional: true, description: 'ARN of the KMS key encrypting the repository.' },
} as const satisfies Fields;

/** The spec of a `Repository` XR, derived from `repositoryFields`. */
export type RepositorySpec = SpecOf<typeof repositoryFields>;
export type RepositoryStatus = SpecOf<typeof repositoryStatusFields>;
