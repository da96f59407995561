import type { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';

/** The constructor shape of the Crossplane charts (`cdk8s/src/crossplane/index.ts`). */
type EnvironmentChartClass = new (scope: Construct, id: string, props: { env: EnvironmentConfig }) => Chart;

export interface CrossplaneCharts {
  readonly PlatformApiChart: EnvironmentChartClass;
  readonly AwsResourcesChart: EnvironmentChartClass;
  renderCrossplaneDir(): Map<string, string>;
}

export interface ArgoCdRenderer {
  renderArgoApps(envs: EnvironmentConfig[]): Map<string, string>;
}

/**
 * Loads a sibling module that is developed in parallel, or undefined while it does not exist yet. Any other load
 * error (a syntax error, a failing import inside it) is thrown, never hidden.
 */
function loadIfPresent<T>(specifier: string): T | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(specifier) as T;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${specifier}'`)) return undefined;
    throw err;
  }
}

export function optionalCrossplaneCharts(): CrossplaneCharts | undefined {
  const mod = loadIfPresent<Partial<CrossplaneCharts>>('../crossplane/index');
  if (mod?.PlatformApiChart === undefined || mod.AwsResourcesChart === undefined) return undefined;
  return mod as CrossplaneCharts;
}

export function optionalCrossplaneDir(): CrossplaneCharts['renderCrossplaneDir'] | undefined {
  return loadIfPresent<Partial<CrossplaneCharts>>('../crossplane/index')?.renderCrossplaneDir;
}

export function optionalArgoCdRenderer(): ArgoCdRenderer['renderArgoApps'] | undefined {
  return loadIfPresent<Partial<ArgoCdRenderer>>('../argocd/index')?.renderArgoApps;
}
