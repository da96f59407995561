/**
 * The package's public surface (`@metrics-platform/cdk8s`). Deep imports (`@metrics-platform/cdk8s/lib/...`) work
 * too and load less: `platform synth` imports `lib/render` and `lib/config` directly.
 */
export * from './config';
export { renderAll, renderEnvironment, generatedHeader, assertUniqueObjects, type GeneratedTree } from './render';
export { addEnvironmentCharts, type ChartScope, type EnvironmentChart } from './charts/environment';
export { NamespacesChart, type EnvironmentChartProps } from './charts/namespaces-chart';
export { MetricsAppChart } from './charts/metrics-app-chart';
export { GraphiteChart } from './charts/graphite-chart';
export { SyncWave, argoAnnotations, applyArgoCdAnnotations, type SyncWaveName } from './sync-waves';
export { MetricsApp, type MetricsAppProps, appEnvironment, pinnedImage } from './constructs/metrics-app';
export { Graphite, type GraphiteProps } from './constructs/graphite';
export {
  PodSecurityNamespace,
  PodSecurityLevel,
  type PodSecurityNamespaceProps,
} from './constructs/pod-security-namespace';
export { DefaultDenyPolicy, WorkloadNetworkPolicy } from './constructs/network-policies';
export { Gp3StorageClass, type Gp3StorageClassProps } from './constructs/storage-class';
export { standardLabels, selectorLabels, type StandardLabelsProps } from './constructs/labels';
export { topologyOf, type EnvironmentTopology } from './constructs/topology';
export { manifestToYaml } from './yaml-emitter';
export {
  exemptReasonAnnotation,
  exemptionAnnotations,
  polarisExemptAnnotation,
  type PolicyExemptions,
} from './constructs/policy-exemptions';
