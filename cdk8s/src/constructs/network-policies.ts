import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';

/** Labels of the cluster DNS pods (CoreDNS on EKS keeps the historical `k8s-app: kube-dns`). */
export const CLUSTER_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } as const;
export interface DefaultDenyProps {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** Denies all ingress and egress to every pod of a namespace; other policies then allow what each pod needs. */
export class DefaultDenyPolicy extends Construct {
  constructor(scope: Construct, id: string, props: DefaultDenyProps) {
    super(scope, id);
    new kplus.NetworkPolicy(this, 'Resource', {
      metadata: { name: 'default-deny-all', namespace: props.namespace, labels: props.labels },
      selector: kplus.Pods.all(this, 'AllPods'),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
  }
}

export interface WorkloadPolicyProps {
  /** Policy name, usually the workload's. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Labels of the pods the policy applies to. */
  readonly podLabels: Record<string, string>;
}

/** The allow-list of one workload: starts empty (deny) in both directions; add rules with intent-named methods. */
export class WorkloadNetworkPolicy extends Construct {
  private readonly policy: kplus.NetworkPolicy;

  constructor(scope: Construct, id: string, props: WorkloadPolicyProps) {
    super(scope, id);
    this.policy = new kplus.NetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      selector: kplus.Pods.select(this, 'Pods', { labels: props.podLabels }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
  }

  /** Allows DNS lookups (53/udp and 53/tcp) to the cluster DNS pods only. */
  allowDnsEgress(): this {
    this.policy.addEgressRule(
      kplus.Pods.select(this, 'ClusterDns', {
        labels: CLUSTER_DNS.labels,
        namespaces: kplus.Namespaces.select(this, 'ClusterDnsNamespace', { names: [CLUSTER_DNS.namespace] }),
      }),
      [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)],
    );
    return this;
  }

  /** Allows egress to pods with `labels` in `namespace` on `ports`. */
  allowEgressTo(id: string, namespace: string, labels: Record<string, string>, ports: kplus.NetworkPolicyPort[]): this {
    this.policy.addEgressRule(this.peer(id, namespace, labels), ports);
    return this;
  }

  /** Allows ingress from pods with `labels` in `namespace` on `ports` (one namespace: pod labels are self-asserted). */
  allowIngressFrom(
    id: string,
    namespace: string,
    labels: Record<string, string>,
    ports: kplus.NetworkPolicyPort[],
  ): this {
    this.policy.addIngressRule(this.peer(id, namespace, labels), ports);
    return this;
  }

  private peer(id: string, namespace: string, labels: Record<string, string>): kplus.Pods {
    const namespaces = kplus.Namespaces.select(this, `${id}Namespace`, { names: [namespace] });
    return kplus.Pods.select(this, id, { labels, namespaces });
  }
}
