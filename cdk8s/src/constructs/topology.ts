import type { EnvironmentConfig } from '../config/environment';

/**
 * Every name derived from an environment, defined once: charts, network policies, the app's ConfigMap and the docs
 * all read them from here, so a Service, its DNS name and the policies that allow it never drift apart.
 */
export interface EnvironmentTopology {
  /** The app's namespace (`namespace` in the environment file); Pod Security `restricted`. */
  readonly appNamespace: string;
  /** Graphite's own namespace, so its Pod Security exception covers its pods and nothing else. */
  readonly graphiteNamespace: string;
  /** Name of the app's Deployment, Service, ServiceAccount, PDB and HPA. */
  readonly appName: string;
  /** Name of the app's ConfigMap (its environment variables). */
  readonly appConfigMapName: string;
  /** Name of the Graphite StatefulSet and its ServiceAccount. */
  readonly graphiteName: string;
  /** The statsd Service (8125/udp). */
  readonly statsdServiceName: string;
  /** The Graphite web UI Service (80/tcp). */
  readonly graphiteWebServiceName: string;
  /** The headless Service that gives the StatefulSet's pods their identity. */
  readonly graphiteHeadlessServiceName: string;
  /** Cluster DNS name the app sends metrics to. */
  readonly statsdHost: string;
  readonly statsdPort: number;
  readonly appHttpPort: number;
}

/** Graphite's namespace suffix: `<namespace>-graphite`. */
const GRAPHITE_NAMESPACE_SUFFIX = '-graphite';

export function topologyOf(env: EnvironmentConfig): EnvironmentTopology {
  const graphiteNamespace = `${env.namespace}${GRAPHITE_NAMESPACE_SUFFIX}`;
  if (graphiteNamespace.length > 63) {
    throw new Error(
      `environments/${env.name}.yaml: namespace: got ${JSON.stringify(env.namespace)}; expected at most ${63 - GRAPHITE_NAMESPACE_SUFFIX.length} characters (Graphite's namespace "${graphiteNamespace}" must be a DNS-1123 label)`,
    );
  }
  const statsdServiceName = 'statsd';
  return {
    appNamespace: env.namespace,
    graphiteNamespace,
    appName: 'metrics-app',
    appConfigMapName: 'metrics-app-env',
    graphiteName: 'graphite',
    statsdServiceName,
    graphiteWebServiceName: 'graphite-web',
    graphiteHeadlessServiceName: 'graphite-headless',
    statsdHost: `${statsdServiceName}.${graphiteNamespace}.svc.cluster.local`,
    statsdPort: 8125,
    appHttpPort: 8080,
  };
}
