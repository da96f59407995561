import { accountIdField, awsAccountIdField, awsRegionField, deletionPolicyField, immutable } from './common-fields';
import type { Fields, SpecOf } from './fields';
import {
  ECR_REPOSITORY_NAME_PATTERN,
  GITHUB_ENVIRONMENT_PATTERN,
  GITHUB_WORKFLOW_PATTERN,
  MAX_RELEASE_REFS,
  releaseRefsField,
} from './repository-fields';

/** The most repositories one grant names: the registry and role policy templates have one variant per count. */
export const MAX_GRANTED_REPOSITORIES = 5;

/**
 * The user-facing fields of the `RegistryReplicationGrant` XR: the registry policy of one ECR registry (a singleton
 * of that registry), which lets exactly one source account replicate into exactly the named repositories, and the
 * read-only role the promote workflow uses to check that an image has arrived.
 */
export const registryReplicationGrantFields = {
  region: awsRegionField,
  awsAccountId: awsAccountIdField,
  sourceAccountId: accountIdField('The one AWS account whose registry may replicate into this one (the registry CI pushes to).'),
  repositoryNames: {
    type: 'array',
    description: `Repositories of this registry that accept replicated images (composed by Repository XRs; no ecr:CreateRepository is granted, so replication never creates a repository with ECR's defaults). At most ${MAX_GRANTED_REPOSITORIES}.`,
    minItems: 1,
    maxItems: MAX_GRANTED_REPOSITORIES,
    listType: 'set',
    items: {
      type: 'string',
      description: 'An ECR repository name of this registry.',
      pattern: ECR_REPOSITORY_NAME_PATTERN,
      patternHint: 'an ECR repository name',
      minLength: 2,
      maxLength: 256,
    },
  },
  checkRole: {
    type: 'object',
    description: 'The read-only role (ecr:DescribeImages on repositoryNames) that the promote workflow assumes by OIDC to check that a digest has arrived.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the IAM role.',
        pattern: '^[A-Za-z0-9+=,.@_-]{1,64}$',
        patternHint: 'an IAM role name: 1-64 of A-Z a-z 0-9 + = , . @ _ -',
        maxLength: 64,
        validations: [immutable('checkRole.name', 'renaming would orphan the old role')],
      },
      github: {
        type: 'object',
        description: 'Which GitHub Actions jobs may assume it: one GitHub environment of one workflow file of one repository, from the allowed refs.',
        properties: {
          repository: { type: 'string', description: 'GitHub repository, as owner/name.', pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$', patternHint: 'owner/name', maxLength: 140 },
          environment: {
            type: 'string',
            description: 'GitHub environment the promoting job declares (`environment:`).',
            pattern: GITHUB_ENVIRONMENT_PATTERN,
            patternHint: 'a GitHub environment name (letters, digits, ".", "_", "-")',
            maxLength: 255,
          },
          workflow: {
            type: 'string',
            description: 'Workflow file whose jobs may check, e.g. .github/workflows/promote.yml.',
            pattern: GITHUB_WORKFLOW_PATTERN,
            patternHint: '.github/workflows/<file>.yml',
            maxLength: 255,
          },
          allowedRefs: releaseRefsField(`Git refs the workflow may run from, e.g. refs/heads/main. At most ${MAX_RELEASE_REFS}.`),
        },
      },
    },
  },
  deletionPolicy: deletionPolicyField,
} as const satisfies Fields;

export const registryReplicationGrantStatusFields = {
  checkRoleArn: { type: 'string', optional: true, description: 'ARN of the check role (the promote workflow\'s role-to-assume).' },
} as const satisfies Fields;

export type RegistryReplicationGrantSpec = SpecOf<typeof registryReplicationGrantFields>;
export type RegistryReplicationGrantStatus = SpecOf<typeof registryReplicationGrantStatusFields>;
