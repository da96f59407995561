import { awsAccountIdField, awsRegionField, deletionPolicyField, immutable } from './common-fields';
import type { Fields, SpecOf } from './fields';

/** The most release refs one Repository accepts: the trust policy template has one variant per count. */
export const MAX_RELEASE_REFS = 4;

/**
 * What a release ref may be. IAM's StringLike `*` also matches `/`, so a branch pattern (`refs/heads/release-*`)
 * trusts branches anyone with write access can create, and `refs/tags/**` every tag.
 * Accepted: an exact branch, an exact tag, or one tag prefix ending in a single `*` (`refs/tags/v*`: every tag
 * starting with `v`, which is exactly what it says). Segments are never empty, and the prefix never ends in `/`
 * (`refs/tags/release/*` would mean one level to git but every depth to IAM). RE2 and JavaScript read it alike.
 */
export const RELEASE_REF_PATTERN = '^(refs/heads/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*|refs/tags/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*[*]?)$';
export const RELEASE_REF_RULE =
  'allowedRefs must be exact refs (refs/heads/<branch>, refs/tags/<tag>) or a tag prefix refs/tags/<prefix>* with one trailing *; IAM wildcards also match /, so branch patterns and refs/tags/** would trust refs nobody reviewed';

/** A GitHub environment name as it appears in the OIDC `sub` claim (no IAM wildcard characters). */
export const GITHUB_ENVIRONMENT_PATTERN = '^[A-Za-z0-9_.-]+$';
/** A workflow file of the repository, as it appears in the `job_workflow_ref` claim. */
export const GITHUB_WORKFLOW_PATTERN = '^[.]github/workflows/[A-Za-z0-9_.-]+[.]ya?ml$';

/** An ECR repository name. */
export const ECR_REPOSITORY_NAME_PATTERN = '^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$';

/**
 * A list of git refs an OIDC trust policy allows: exact refs or tag prefixes only (the CEL rule), at most
 * MAX_RELEASE_REFS. One definition for every XR field that lists release refs.
 */
export function releaseRefsField(description: string) {
  return {
    type: 'array',
    description,
    items: {
      type: 'string',
      description: 'An exact git ref (refs/heads/<branch>, refs/tags/<tag>) or a tag prefix refs/tags/<prefix>*.',
      pattern: '^refs/(heads|tags)/[A-Za-z0-9_./*-]+$',
      patternHint: 'refs/heads/<branch> or refs/tags/<tag or prefix*>',
      // Bounded so the API server's CEL cost estimate of the list rule below stays small.
      maxLength: 255,
    },
    minItems: 1,
    maxItems: MAX_RELEASE_REFS,
    listType: 'set',
    validations: [
      {
        rule: `self.all(r, r.matches('${RELEASE_REF_PATTERN}'))`,
        message: RELEASE_REF_RULE,
      },
    ],
  } as const;
}

/** The user-facing fields of the `Repository` XR (an ECR repository and the GitHub Actions role that pushes to it). */
export const repositoryFields = {
  region: awsRegionField,
  awsAccountId: awsAccountIdField,
  repositoryName: {
    type: 'string',
    description: 'Name of the ECR repository, e.g. metrics-app or team/metrics-app.',
    pattern: ECR_REPOSITORY_NAME_PATTERN,
    patternHint: 'an ECR repository name (lower-case letters, digits, ".", "_", "-", "/")',
    minLength: 2,
    maxLength: 256,
    validations: [immutable('repositoryName', 'ECR cannot rename a repository; create a new Repository')],
  },
  github: {
    type: 'object',
    description:
      'Which GitHub Actions jobs may push images: jobs of one workflow file of one repository, run in one GitHub environment, from the allowed refs.',
    properties: {
      repository: {
        type: 'string',
        description: 'GitHub repository allowed to push, as owner/name.',
        pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
        patternHint: 'owner/name',
        maxLength: 140,
      },
      environment: {
        type: 'string',
        description:
          'GitHub environment the pushing job declares (`environment:`); protect it (required reviewers, deployment branches) in the repository settings.',
        pattern: GITHUB_ENVIRONMENT_PATTERN,
        patternHint: 'a GitHub environment name (letters, digits, ".", "_", "-")',
        maxLength: 255,
      },
      workflow: {
        type: 'string',
        description: 'Workflow file whose jobs may push (the job_workflow_ref claim), e.g. .github/workflows/release.yml.',
        pattern: GITHUB_WORKFLOW_PATTERN,
        patternHint: '.github/workflows/<file>.yml',
        maxLength: 255,
      },
      allowedRefs: releaseRefsField(
        `Git refs the workflow may run from (the ref of job_workflow_ref), e.g. refs/heads/main or refs/tags/v*. At most ${MAX_RELEASE_REFS}.`,
      ),
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
