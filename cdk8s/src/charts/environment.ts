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
 * Where each chart of an environment goes: one scope for all (`cdk8s synth`: one App, synthesized once), or a
 * function giving each chart a scope of its own. `platform synth` gives each chart an App of its own because cdk8s
 * resolves dependencies and validates the whole App on every `chart.toJson()`: with one App per chart, each chart is
 * resolved once instead of once per chart of its environment (17 % of a synth's CPU at 300 environments). Charts
 * never depend on each other's constructs (tested), so where a chart lives does not change what it renders.
 */
export type ChartScope = Construct | (() => Construct);

/**
 * Adds every chart of `env` to `scope`, in apply order, annotated for Argo CD. `idPrefix` keeps construct ids unique
 * when several environments share one App (`cdk8s synth`).
 */
export function addEnvironmentCharts(
  scope: ChartScope,
  env: EnvironmentConfig,
  idPrefix = '',
  environments: readonly EnvironmentConfig[] = [env],
): EnvironmentChart[] {
  const scopeOf = typeof scope === 'function' ? scope : () => scope;
  // Namespaces first (see SyncWave). The platform API objects carry their own finer waves (runtime config to
  // Compositions); the chart's wave is only the fallback for an object that does not.
  const charts: { file: string; chart: Chart; wave: SyncWaveName }[] = [
    {
      file: 'namespaces.yaml',
      chart: new NamespacesChart(scopeOf(), `${idPrefix}Namespaces`, { env }),
      wave: 'namespaces',
    },
    {
      file: 'platform-api.yaml',
      chart: new PlatformApiChart(scopeOf(), `${idPrefix}PlatformApi`, { env }),
      wave: 'runtimeConfig',
    },
    {
      file: 'aws-resources.yaml',
      chart: new AwsResourcesChart(scopeOf(), `${idPrefix}AwsResources`, { env, environments }),
      wave: 'compositeResources',
    },
    {
      file: 'graphite.yaml',
      chart: new GraphiteChart(scopeOf(), `${idPrefix}Graphite`, { env }),
      wave: 'workloads',
    },
    {
      file: 'metrics-app.yaml',
      chart: new MetricsAppChart(scopeOf(), `${idPrefix}MetricsApp`, { env }),
      wave: 'workloads',
    },
  ];
  for (const { chart, wave } of charts) applyArgoCdAnnotations(chart, wave);
  return charts.map(({ file, chart }) => ({ file, chart }));
}
