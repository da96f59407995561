import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { GRAPHITE_WEB_PORT, Graphite, graphiteVersion } from '../constructs/graphite';
import { selectorLabels, standardLabels } from '../constructs/labels';
import { DefaultDenyPolicy, WorkloadNetworkPolicy } from '../constructs/network-policies';
import { topologyOf } from '../constructs/topology';
import type { EnvironmentChartProps } from './namespaces-chart';
import { applyArgoCdAnnotations } from '../sync-waves';

/** The labels that select Graphite's pods, for charts that must reach them. */
export function graphitePodLabels(env: EnvironmentConfig): Record<string, string> {
  const t = topologyOf(env);
  return selectorLabels({ name: t.graphiteName, instance: `${t.graphiteName}-${env.name}` });
}

/** Graphite + statsd and the network policies of its namespace. */
export class GraphiteChart extends Chart {
  readonly graphite: Graphite;

  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    const t = topologyOf(env);
    this.graphite = new Graphite(this, 'Graphite', { env });

    const policyLabels = standardLabels({
      name: t.graphiteName,
      instance: `${t.graphiteName}-${env.name}`,
      version: graphiteVersion(env),
      component: 'network-policy',
    });
    const deny = new DefaultDenyPolicy(this, 'DefaultDeny', { namespace: t.graphiteNamespace, labels: policyLabels });
    const appPods = selectorLabels({ name: t.appName, instance: `${t.appName}-${env.name}` });
    const allow = new WorkloadNetworkPolicy(this, 'GraphitePolicy', {
      name: t.graphiteName,
      namespace: t.graphiteNamespace,
      labels: policyLabels,
      podLabels: this.graphite.podSelectorLabels,
    })
      .allowIngressFrom('MetricsApp', t.appNamespace, appPods, [kplus.NetworkPolicyPort.udp(t.statsdPort)])
      .allowIngressFrom('GraphiteUiClients', env.graphite.webClients.namespace, env.graphite.webClients.podLabels, [
        kplus.NetworkPolicyPort.tcp(GRAPHITE_WEB_PORT),
      ])
      // graphite-web resolves names at start-up; everything it stores stays inside the pod.
      .allowDnsEgress();
    // Policies land with the namespaces, before any pod: no pod ever runs unpoliced.
    applyArgoCdAnnotations(deny, 'namespaces');
    applyArgoCdAnnotations(allow, 'namespaces');
  }
}
