import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-34';

/** Pod Security Standards levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export enum PodSecurityLevel {
  PRIVILEGED = 'privileged',
  BASELINE = 'baseline',
  RESTRICTED = 'restricted',
}

/** The Pod Security Standards version the labels pin (the cluster's minor version, not `latest`). */
export const POD_SECURITY_VERSION = 'v1.34';

export interface PodSecurityNamespaceProps {
  /** Namespace name (a DNS-1123 label). */
  readonly name: string;
  /** Labels besides the Pod Security ones. */
  readonly labels: Record<string, string>;
  /**
   * Level the admission controller enforces: pods that break it are rejected.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly enforce?: PodSecurityLevel;
  /**
   * Level audited and warned about. Keep it `restricted` even where `enforce` is relaxed, so every exception stays
   * visible in the audit log and in `kubectl` warnings.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly auditAndWarn?: PodSecurityLevel;
}

/** A Namespace labelled for Pod Security admission, `restricted` unless an exception is spelled out. */
export class PodSecurityNamespace extends Construct {
  readonly namespace: kplus.Namespace;

  constructor(scope: Construct, id: string, props: PodSecurityNamespaceProps) {
    super(scope, id);
    const enforce = props.enforce ?? PodSecurityLevel.RESTRICTED;
    const auditAndWarn = props.auditAndWarn ?? PodSecurityLevel.RESTRICTED;
    const labels: Record<string, string> = { ...props.labels };
    for (const [mode, level] of [
      ['enforce', enforce],
      ['audit', auditAndWarn],
      ['warn', auditAndWarn],
    ] as const) {
      labels[`pod-security.kubernetes.io/${mode}`] = level;
      labels[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
    }
    this.namespace = new kplus.Namespace(this, 'Resource', { metadata: { name: props.name, labels } });
  }
}
