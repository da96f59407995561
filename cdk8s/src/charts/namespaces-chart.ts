import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { graphiteVersion } from '../constructs/graphite';
import { labelValue, standardLabels } from '../constructs/labels';
import { PodSecurityLevel, PodSecurityNamespace } from '../constructs/pod-security-namespace';
import { Gp3StorageClass } from '../constructs/storage-class';
import { topologyOf } from '../constructs/topology';

export interface EnvironmentChartProps {
  /** The environment this chart renders. */
  readonly env: EnvironmentConfig;
}

/** The environment's namespaces (with their Pod Security levels) and, when it owns it, the gp3 StorageClass. */
export class NamespacesChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    const t = topologyOf(env);
    // A namespace carries the labels of the workload it holds, with component `namespace`.
    const labels = (name: string, version: string) =>
      standardLabels({ name, instance: `${name}-${env.name}`, version, component: 'namespace' });

    new PodSecurityNamespace(this, 'AppNamespace', {
      name: t.appNamespace,
      labels: labels(t.appName, labelValue(env.app.image.tag)),
    });
    // EXCEPTION: graphite-statsd runs as root (runit, nginx) and cannot pass `restricted`. Its own namespace enforces
    // `baseline` (no privileged, no host namespaces or paths, only default capabilities) and still audits and warns
    // at `restricted`, so the exception covers its one pod and stays visible.
    new PodSecurityNamespace(this, 'GraphiteNamespace', {
      name: t.graphiteNamespace,
      labels: labels(t.graphiteName, graphiteVersion(env)),
      enforce: PodSecurityLevel.BASELINE,
      auditAndWarn: PodSecurityLevel.RESTRICTED,
    });

    if (env.graphite.createStorageClass) {
      new Gp3StorageClass(this, 'StorageClass', {
        name: env.graphite.storageClassName,
        labels: standardLabels({
          name: env.graphite.storageClassName,
          instance: `${env.graphite.storageClassName}-${env.name}`,
          version: graphiteVersion(env),
          component: 'storage',
        }),
        // An environment that orphans its cloud resources keeps its volumes too.
        retainVolumes: env.features.orphanCloudResources,
      });
    }
  }
}
