import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import type { Construct } from 'constructs';
import { labelValue, standardLabels } from '../constructs/labels';
import { MetricsApp } from '../constructs/metrics-app';
import { DefaultDenyPolicy, WorkloadNetworkPolicy } from '../constructs/network-policies';
import { topologyOf } from '../constructs/topology';
import { graphitePodLabels } from './graphite-chart';
import type { EnvironmentChartProps } from './namespaces-chart';
import { applyArgoCdAnnotations } from '../sync-waves';

/** The metrics app and the network policies of its namespace. */
export class MetricsAppChart extends Chart {
  readonly app: MetricsApp;

  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    const t = topologyOf(env);
    this.app = new MetricsApp(this, 'MetricsApp', { env });

    const policyLabels = standardLabels({
      name: t.appName,
      instance: `${t.appName}-${env.name}`,
      version: labelValue(env.app.image.tag),
      component: 'network-policy',
    });
    const deny = new DefaultDenyPolicy(this, 'DefaultDeny', { namespace: t.appNamespace, labels: policyLabels });
    const allow = new WorkloadNetworkPolicy(this, 'AppPolicy', {
      name: t.appName,
      namespace: t.appNamespace,
      labels: policyLabels,
      podLabels: this.app.podSelectorLabels,
    })
      .allowDnsEgress()
      .allowEgressTo('Statsd', t.graphiteNamespace, graphitePodLabels(env), [
        kplus.NetworkPolicyPort.udp(t.statsdPort),
      ]);
    // Policies land with the namespaces, before any pod: no pod ever runs unpoliced.
    applyArgoCdAnnotations(deny, 'namespaces');
    applyArgoCdAnnotations(allow, 'namespaces');
    // No ingress rule: the HTTP port only serves the kubelet's probes, and traffic from a pod's own node is always
    // allowed by NetworkPolicy semantics. Nothing else calls the app (it pushes its metrics).
  }
}
