import type { Severity } from './problem';

/**
 * The workload policy, after Polaris's default check set (pkg/config/default.yaml): same check names, Polaris
 * `danger` = error and `warning` = warning. Three reliability checks are errors in production environments
 * (replicas, PDB, topology spread: a prod outage is what they prevent). Exempt a check on one object with
 * Polaris's own annotation `polaris.fairwinds.com/<check>-exempt: "true"` plus its reason in
 * `policy.metrics-platform.dev/<check>-exempt-reason`, or in REVIEWED_EXEMPTIONS (policy.ts). Where a check
 * here is named after a Polaris check it fires at least where Polaris's does, so an object `platform validate`
 * passes is one every Polaris passes.
 */
export const POLICY_CHECKS = {
  // reliability
  // Polaris: spec.replicas must be set and >= 2, even when an HPA owns the count.
  deploymentMissingReplicas: {
    severity: 'warning',
    prodSeverity: 'error',
    summary: 'spec.replicas is unset or below 2',
  },
  missingPodDisruptionBudget: {
    severity: 'warning',
    prodSeverity: 'error',
    summary: 'no PodDisruptionBudget selects the pods',
  },
  topologySpreadConstraint: { severity: 'warning', prodSeverity: 'error', summary: 'no topologySpreadConstraints' },
  priorityClassNotSet: { severity: 'warning', summary: 'priorityClassName is not set' },
  tagNotSpecified: { severity: 'error', summary: 'image has no tag or uses latest, and no digest' },
  // Polaris: imagePullPolicy must be Always, digest or not.
  pullPolicyNotAlways: { severity: 'warning', summary: 'imagePullPolicy is not Always' },
  readinessProbeMissing: { severity: 'warning', summary: 'no readinessProbe' },
  livenessProbeMissing: { severity: 'warning', summary: 'no livenessProbe' },
  pdbDisruptionsIsZero: { severity: 'warning', summary: 'the PodDisruptionBudget allows no voluntary disruption' },
  hpaMinAvailability: { severity: 'warning', summary: 'HorizontalPodAutoscaler minReplicas below 2' },
  hpaMaxAvailability: { severity: 'warning', summary: 'HorizontalPodAutoscaler maxReplicas not above minReplicas' },
  pdbMinAvailableGreaterThanOrEqualToHPAMinReplicas: {
    severity: 'warning',
    summary: 'PDB minAvailable >= HPA minReplicas (blocks node drains)',
  },
  // efficiency
  cpuRequestsMissing: { severity: 'warning', summary: 'no CPU request' },
  cpuLimitsMissing: { severity: 'warning', summary: 'no CPU limit' },
  memoryRequestsMissing: { severity: 'warning', summary: 'no memory request' },
  memoryLimitsMissing: { severity: 'warning', summary: 'no memory limit' },
  // security
  automountServiceAccountToken: { severity: 'warning', summary: 'the service-account token is mounted' },
  hostIPCSet: { severity: 'error', summary: 'hostIPC is set' },
  hostPIDSet: { severity: 'error', summary: 'hostPID is set' },
  hostNetworkSet: { severity: 'error', summary: 'hostNetwork is set' },
  hostPortSet: { severity: 'warning', summary: 'a container port sets hostPort' },
  hostPathSet: { severity: 'warning', summary: 'a hostPath volume is mounted' },
  hostProcess: { severity: 'warning', summary: 'a Windows hostProcess container' },
  procMount: { severity: 'warning', summary: 'procMount is not Default' },
  linuxHardening: {
    severity: 'warning',
    summary: 'no seccomp, AppArmor or SELinux profile and capabilities not all dropped',
  },
  missingNetworkPolicy: { severity: 'warning', summary: 'no NetworkPolicy selects the pods' },
  notReadOnlyRootFilesystem: { severity: 'warning', summary: 'readOnlyRootFilesystem is not true' },
  privilegeEscalationAllowed: { severity: 'error', summary: 'allowPrivilegeEscalation is not false' },
  runAsRootAllowed: { severity: 'error', summary: 'runAsNonRoot is not true (and runAsUser is not a non-zero uid)' },
  runAsPrivileged: { severity: 'error', summary: 'privileged is true' },
  dangerousCapabilities: { severity: 'error', summary: 'adds ALL, SYS_ADMIN or NET_ADMIN' },
  insecureCapabilities: { severity: 'warning', summary: 'keeps or adds a default capability (drop ALL instead)' },
  sensitiveContainerEnvVar: { severity: 'error', summary: 'a secret-looking env var has a literal value' },
  sensitiveConfigmapContent: { severity: 'error', summary: 'a ConfigMap key looks like a secret' },
  tlsSettingsMissing: { severity: 'warning', summary: 'an Ingress without tls' },
  clusterrolePodExecAttach: { severity: 'error', summary: 'a ClusterRole allows pods/exec or pods/attach' },
  rolePodExecAttach: { severity: 'error', summary: 'a Role allows pods/exec or pods/attach' },
  clusterrolebindingClusterAdmin: { severity: 'error', summary: 'a ClusterRoleBinding to cluster-admin' },
  rolebindingClusterAdminClusterRole: { severity: 'error', summary: 'a RoleBinding to the cluster-admin ClusterRole' },
} as const satisfies Record<string, { severity: Severity; prodSeverity?: Severity; summary: string }>;

export type PolicyCheckId = keyof typeof POLICY_CHECKS;

export function isPolicyCheckId(s: string): s is PolicyCheckId {
  return Object.prototype.hasOwnProperty.call(POLICY_CHECKS, s);
}

export {
  exemptReasonAnnotation,
  polarisExemptAnnotation,
} from '@metrics-platform/cdk8s/lib/constructs/policy-exemptions';

/** Prefix of Polaris's exemption annotations (`<check>-exempt`, and `exempt` for every check). */
export const POLARIS_ANNOTATION_PREFIX = 'polaris.fairwinds.com/';
/** Where reasons live (`<check>-exempt-reason`). */
export const REASON_ANNOTATION_PREFIX = 'policy.metrics-platform.dev/';
/** The home-made annotation exemptions used before; no Polaris reads it, so it is refused. */
export const LEGACY_EXEMPT_ANNOTATION = 'policy.metrics-platform.dev/exempt';
