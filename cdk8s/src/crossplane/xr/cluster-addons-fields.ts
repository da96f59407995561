import { awsAccountIdField, awsRegionField, deletionPolicyField, immutable } from './common-fields';
import type { Fields, ObjectField, SpecOf } from './fields';

/**
 * The EKS managed add-ons the ClusterAddons XR manages: XR field name -> EKS add-on name. One table used by the
 * fields below, the Composition and the environment mapping.
 */
export const MANAGED_ADDONS = {
  vpcCni: 'vpc-cni',
  coredns: 'coredns',
  kubeProxy: 'kube-proxy',
  podIdentityAgent: 'eks-pod-identity-agent',
  ebsCsiDriver: 'aws-ebs-csi-driver',
} as const;

export type ManagedAddonField = keyof typeof MANAGED_ADDONS;

const addonField = (eksName: string) =>
  ({
    type: 'object',
    description: `The ${eksName} add-on.`,
    properties: {
      version: {
        type: 'string',
        description: `Version of ${eksName} (aws eks describe-addon-versions --addon-name ${eksName}).`,
        pattern: '^v[0-9]+\\.[0-9]+\\.[0-9]+-eksbuild\\.[0-9]+$',
        patternHint: 'an EKS add-on version such as v1.19.2-eksbuild.1',
        maxLength: 64,
      },
    },
  }) as const satisfies ObjectField;

/** The user-facing fields of the `ClusterAddons` XR (EKS managed add-ons of an existing cluster). */
export const clusterAddonsFields = {
  region: awsRegionField,
  awsAccountId: awsAccountIdField,
  clusterName: {
    type: 'string',
    description: 'Name of the existing EKS cluster.',
    pattern: '^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$',
    patternHint: 'an EKS cluster name',
    maxLength: 100,
    validations: [immutable('clusterName', 'add-ons cannot move to another cluster')],
  },
  addons: {
    type: 'object',
    description: 'Version of each managed add-on.',
    properties: {
      vpcCni: addonField(MANAGED_ADDONS.vpcCni),
      coredns: addonField(MANAGED_ADDONS.coredns),
      kubeProxy: addonField(MANAGED_ADDONS.kubeProxy),
      podIdentityAgent: addonField(MANAGED_ADDONS.podIdentityAgent),
      ebsCsiDriver: addonField(MANAGED_ADDONS.ebsCsiDriver),
    },
  },
  resolveConflictsOnCreate: {
    type: 'string',
    description: 'What EKS does with existing (self-managed) add-on settings when it first installs a managed add-on. OVERWRITE adopts add-ons that came with the cluster.',
    enum: ['NONE', 'OVERWRITE'],
    default: 'OVERWRITE',
  },
  resolveConflictsOnUpdate: {
    type: 'string',
    description: 'What EKS does with settings changed outside the add-on API on upgrade. PRESERVE keeps them.',
    enum: ['NONE', 'OVERWRITE', 'PRESERVE'],
    default: 'PRESERVE',
  },
  deletionPolicy: deletionPolicyField,
} as const satisfies Fields;

/** Fields the Composition writes back into the XR's status; the gates order the add-ons (docs/crossplane.md). */
export const clusterAddonsStatusFields = {
  podIdentityAgentArn: {
    type: 'string',
    optional: true,
    description: 'ARN of the active eks-pod-identity-agent add-on. Gates the EBS CSI driver, whose credentials come from Pod Identity.',
  },
  ebsCsiRoleArn: { type: 'string', optional: true, description: 'ARN of the IAM role of the EBS CSI controller.' },
  ebsCsiPodIdentityAssociationId: {
    type: 'string',
    optional: true,
    description: 'Id of the Pod Identity association of the EBS CSI controller. Gates the aws-ebs-csi-driver add-on.',
  },
} as const satisfies Fields;

export type ClusterAddonsSpec = SpecOf<typeof clusterAddonsFields>;
export type ClusterAddonsStatus = SpecOf<typeof clusterAddonsStatusFields>;
