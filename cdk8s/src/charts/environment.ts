import type { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { GraphiteChart } from './graphite-chart';
import { MetricsAppChart } from './metrics-app-chart';
import { NamespacesChart } from './namespaces-chart';
import { AwsResourcesChart, PlatformApiChart } from '../crossplane/index';
import { applyArgoCdAnnotations, type SyncWaveName } from '../sync-waves';

/** One chart of an environment and the file (under `dist/<env>/`) it is written to. */
export interface EnvironmentChart {
  /** File name relative to `dist/<env>/`. */
  readonly file: string;
  readonly chart: Chart;
}

/**
 * Adds every chart of `env` to `scope`, in apply order, annotated for Argo CD. `idPrefix` keeps construct ids unique
 * when several environments share one App (`cdk8s synth`).
 */
export function addEnvironmentCharts(
  scope: Construct,
  env: EnvironmentConfig,
  idPrefix = '',
  environments: readonly EnvironmentConfig[] = [env],
): EnvironmentChart[] {
  // Namespaces first (see SyncWave). The platform API objects carry their own finer waves (runtime config to
  // Compositions); the chart's wave is only the fallback for an object that does not.
  const charts: { file: string; chart: Chart; wave: SyncWaveName }[] = [
    {
      file: 'namespaces.yaml',
      chart: new NamespacesChart(scope, `${idPrefix}Namespaces`, { env }),
      wave: 'namespaces',
    },
    {
      file: 'platform-api.yaml',
      chart: new PlatformApiChart(scope, `${idPrefix}PlatformApi`, { env }),
      wave: 'runtimeConfig',
    },
    {
      file: 'aws-resources.yaml',
      chart: new AwsResourcesChart(scope, `${idPrefix}AwsResources`, { env, environments }),
      wave: 'compositeResources',
    },
    {
      file: 'graphite.yaml',
      chart: new GraphiteChart(scope, `${idPrefix}Graphite`, { env }),
      wave: 'workloads',
    },
    {
      file: 'metrics-app.yaml',
      chart: new MetricsAppChart(scope, `${idPrefix}MetricsApp`, { env }),
      wave: 'workloads',
    },
  ];
  for (const { chart, wave } of charts) applyArgoCdAnnotations(chart, wave);
  return charts.map(({ file, chart }) => ({ file, chart }));
}
