import { accountIdField, awsAccountIdField, awsRegionField, deletionPolicyField } from './common-fields';
import type { Fields, SpecOf } from './fields';
import { ECR_REPOSITORY_NAME_PATTERN } from './repository-fields';

/** ECR's limit on the destinations of a replication rule. */
export const MAX_DESTINATIONS = 25;

/**
 * The user-facing fields of the `RegistryReplication` XR: the replication configuration of one ECR registry (an
 * account in a region), which is a singleton of that registry. The chain's origin environment (the registry CI pushes
 * to) owns it; the field shapes are ECR's, so the Composition copies them whole.
 */
export const registryReplicationFields = {
  region: awsRegionField,
  awsAccountId: awsAccountIdField,
  destinations: {
    type: 'array',
    description: `Registries that receive every image pushed to the filtered repositories (ECR allows ${MAX_DESTINATIONS}). Each must allow this account in its registry policy (a RegistryReplicationGrant).`,
    minItems: 1,
    maxItems: MAX_DESTINATIONS,
    items: {
      type: 'object',
      description: 'One destination registry.',
      properties: {
        registryId: accountIdField('The destination AWS account (its registry id).'),
        region: { ...awsRegionField, description: 'Region of the destination registry, e.g. eu-west-1.', validations: [] },
      },
    },
  },
  repositoryFilters: {
    type: 'array',
    description:
      "Which repositories replicate: the platform's repositories, by name prefix (ECR's only filter type). A repository of the destination with the same name receives the images.",
    minItems: 1,
    maxItems: 100,
    items: {
      type: 'object',
      description: 'One repository filter.',
      properties: {
        filter: {
          type: 'string',
          description: 'Repository name (prefix) to replicate, e.g. metrics-app.',
          pattern: ECR_REPOSITORY_NAME_PATTERN,
          patternHint: 'an ECR repository name',
          minLength: 2,
          maxLength: 256,
        },
        filterType: { type: 'string', description: 'How filter matches: PREFIX_MATCH, the only type ECR has.', enum: ['PREFIX_MATCH'] },
      },
    },
  },
  deletionPolicy: deletionPolicyField,
} as const satisfies Fields;

export const registryReplicationStatusFields = {
  registryId: { type: 'string', optional: true, description: 'The registry (account) whose replication configuration this is, as ECR reports it.' },
} as const satisfies Fields;

export type RegistryReplicationSpec = SpecOf<typeof registryReplicationFields>;
export type RegistryReplicationStatus = SpecOf<typeof registryReplicationStatusFields>;
