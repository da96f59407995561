import type { CelRule, StringField } from './fields';

/** Field definitions shared by both XR kinds. */

const immutable = (what: string, why: string): CelRule => ({ rule: 'self == oldSelf', message: `${what} is immutable: ${why}` });

export const awsRegionField = {
  type: 'string',
  description: 'AWS region of the resources, e.g. eu-west-1.',
  pattern: '^[a-z]{2}(-gov)?-[a-z]+-[0-9]$',
  patternHint: 'an AWS region such as eu-west-1',
  maxLength: 32,
  validations: [immutable('region', 'resources cannot move between regions')],
} as const satisfies StringField;

/** A 12-digit AWS account id, with what this one is. */
export function accountIdField(description: string) {
  return {
    type: 'string',
    description,
    pattern: '^[0-9]{12}$',
    patternHint: 'a 12-digit AWS account id',
    maxLength: 12,
  } as const satisfies StringField;
}

export const awsAccountIdField = {
  ...accountIdField('The 12-digit AWS account that owns the resources (used in IAM ARNs).'),
  validations: [immutable('awsAccountId', 'resources cannot move between accounts')],
} as const satisfies StringField;

/** How the deletion of the XR affects the cloud resources; prod sets Orphan (features.orphanCloudResources). */
export const deletionPolicyField = {
  type: 'string',
  description:
    'What happens to the AWS resources when the XR is deleted. Delete: they are deleted. Orphan: Crossplane stops managing them and leaves them in AWS (managementPolicies without Delete), so a bad sync can never drop them.',
  enum: ['Delete', 'Orphan'],
  default: 'Delete',
} as const satisfies StringField;

/** The managementPolicies of every composed managed resource, per deletionPolicy (one definition, used by patches). */
export const managementPoliciesByDeletionPolicy: Readonly<Record<(typeof deletionPolicyField.enum)[number], readonly string[]>> = {
  Delete: ['*'],
  Orphan: ['Observe', 'Create', 'Update', 'LateInitialize'],
};

export { immutable };
