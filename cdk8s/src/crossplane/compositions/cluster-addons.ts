import { CLUSTER_ADDONS } from '../api';
import { MANAGED_ADDONS, type ManagedAddonField } from '../xr/cluster-addons-fields';
import type { KubeObject } from '../xrd';
import { MANAGEMENT, REGIONAL, TAGGED, awsBase, awsPatchSets, combine, fromXr, pipelineComposition, siblingSelector, toXr, usage, usePatchSet, type ComposedTemplate, type Patch } from './pipeline';
import { EBS_CSI_NAMESPACE, EBS_CSI_POLICY_ARN, EBS_CSI_SERVICE_ACCOUNT, podIdentityTrustPolicy, policyFormat } from './policies';

const EKS = 'eks.aws.m.upbound.io/v1beta1';
const IAM = 'iam.aws.m.upbound.io/v1beta1';


const addonRole = (field: ManagedAddonField) => `addon-${MANAGED_ADDONS[field]}`;

/**
 * Readiness gates: a Required patch from an XR status field that another composed resource fills once it exists.
 * Until then patch-and-transform leaves the gated resource out of the desired state, so it is created only after
 * the resource it needs. The value lands in an annotation that says why the resource waited.
 */
function gate(statusField: string, annotation: string): Patch {
  return fromXr(`status.${statusField}`, `metadata.annotations[platform.example.org/after-${annotation}]`, { policy: { fromFieldPath: 'Required' } });
}

function addon(field: ManagedAddonField, extra: readonly Patch[] = []): ComposedTemplate {
  return {
    name: addonRole(field),
    // The external name is the add-on name (the provider's id is <cluster>:<add-on>), so an add-on the cluster
    // already has (e.g. the Pod Identity agent installed at bootstrap) is adopted rather than created twice.
    base: awsBase(
      EKS,
      'Addon',
      addonRole(field),
      {
        forProvider: {
          addonName: MANAGED_ADDONS[field],
          // Deleting the Addon object never uninstalls the software: a cluster without vpc-cni or coredns is down.
          preserve: true,
        },
      },
      MANAGED_ADDONS[field],
    ),
    patches: [
      usePatchSet(MANAGEMENT),
      usePatchSet(REGIONAL),
      usePatchSet(TAGGED),
      fromXr('spec.clusterName', 'spec.forProvider.clusterName'),
      fromXr(`spec.addons.${field}.version`, 'spec.forProvider.addonVersion'),
      fromXr('spec.resolveConflictsOnCreate', 'spec.forProvider.resolveConflictsOnCreate'),
      fromXr('spec.resolveConflictsOnUpdate', 'spec.forProvider.resolveConflictsOnUpdate'),
      ...extra,
    ],
  };
}

/** The Composition of the `ClusterAddons` XR. */
export function clusterAddonsComposition(): KubeObject {
  return pipelineComposition(CLUSTER_ADDONS, awsPatchSets, [
    addon('vpcCni'),
    addon('kubeProxy'),
    addon('coredns'),
    // The provider waits for an add-on to be ACTIVE before it records its ARN, so the ARN in the XR status means
    // "the Pod Identity agent runs".
    addon('podIdentityAgent', [toXr('status.atProvider.arn', 'status.podIdentityAgentArn')]),
    {
      name: 'ebs-csi-role',
      base: awsBase(IAM, 'Role', 'ebs-csi-role', { forProvider: { description: 'EBS CSI controller (EKS Pod Identity)', maxSessionDuration: 3600 } }),
      patches: [
        usePatchSet(MANAGEMENT),
        usePatchSet(TAGGED),
        combine(['spec.awsAccountId', 'spec.region', 'spec.awsAccountId', 'spec.clusterName'], policyFormat(podIdentityTrustPolicy), 'spec.forProvider.assumeRolePolicy'),
        toXr('status.atProvider.arn', 'status.ebsCsiRoleArn'),
      ],
    },
    {
      name: 'ebs-csi-policy-attachment',
      base: awsBase(IAM, 'RolePolicyAttachment', 'ebs-csi-policy-attachment', {
        forProvider: { policyArn: EBS_CSI_POLICY_ARN, roleSelector: siblingSelector('ebs-csi-role') },
      }),
      patches: [usePatchSet(MANAGEMENT)],
    },
    {
      name: 'ebs-csi-pod-identity',
      base: awsBase(EKS, 'PodIdentityAssociation', 'ebs-csi-pod-identity', {
        forProvider: { namespace: EBS_CSI_NAMESPACE, serviceAccount: EBS_CSI_SERVICE_ACCOUNT, roleArnSelector: siblingSelector('ebs-csi-role') },
      }),
      patches: [
        usePatchSet(MANAGEMENT),
        usePatchSet(REGIONAL),
        usePatchSet(TAGGED),
        fromXr('spec.clusterName', 'spec.forProvider.clusterName'),
        toXr('status.atProvider.associationId', 'status.ebsCsiPodIdentityAssociationId'),
      ],
    },
    // The EBS CSI driver gets its AWS credentials from Pod Identity: install it only once the agent is active and
    // its association exists, or its controller crash-loops without credentials.
    addon('ebsCsiDriver', [gate('podIdentityAgentArn', 'pod-identity-agent'), gate('ebsCsiPodIdentityAssociationId', 'pod-identity-association')]),
    usage(
      'usage-ebs-csi-role-by-pod-identity',
      { apiVersion: IAM, kind: 'Role', role: 'ebs-csi-role' },
      { apiVersion: EKS, kind: 'PodIdentityAssociation', role: 'ebs-csi-pod-identity' },
      'the role must outlive the Pod Identity association that hands it out',
    ),
    usage(
      'usage-ebs-csi-role-by-policy-attachment',
      { apiVersion: IAM, kind: 'Role', role: 'ebs-csi-role' },
      { apiVersion: IAM, kind: 'RolePolicyAttachment', role: 'ebs-csi-policy-attachment' },
      'IAM refuses to delete a role with attached policies',
    ),
    usage(
      'usage-pod-identity-by-ebs-csi-driver',
      { apiVersion: EKS, kind: 'PodIdentityAssociation', role: 'ebs-csi-pod-identity' },
      { apiVersion: EKS, kind: 'Addon', role: addonRole('ebsCsiDriver') },
      'the EBS CSI driver keeps its credentials until it is removed',
    ),
    usage(
      'usage-pod-identity-agent-by-ebs-csi-driver',
      { apiVersion: EKS, kind: 'Addon', role: addonRole('podIdentityAgent') },
      { apiVersion: EKS, kind: 'Addon', role: addonRole('ebsCsiDriver') },
      'the Pod Identity agent serves the EBS CSI driver its credentials until the driver is removed',
    ),
  ]);
}
