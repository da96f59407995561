import { App, type Chart } from 'cdk8s';
import type { EnvironmentConfig } from '@metrics-platform/cdk8s/lib/config';
import { AwsResourcesChart, platformApiObjects, providerConfig } from '@metrics-platform/cdk8s/lib/crossplane';
import type { Obj } from './checks';

/** The objects the offline Crossplane checks look at, exactly as cdk8s renders them. */

/**
 * A chart's objects (cdk8s applies its own normalisation, as in dist/<env>/). Nothing is written: the App is never
 * synthesized, so no output directory is created (cdk8s' Testing.app() would leave one in the temp dir per call).
 */
function synth(build: (app: App) => Chart): Obj[] {
  return build(new App({ outdir: 'cdk8s.out' })).toJson() as Obj[];
}

/** The environment-independent platform API (crossplane/) plus the ProviderConfig of one namespace. */
export function platformObjects(namespace = 'metrics-dev'): Obj[] {
  return [...(platformApiObjects() as Obj[]), providerConfig(namespace) as Obj].map((o) => structuredClone(o));
}

/** The XRs an environment's AwsResourcesChart renders (`environments`: all of them, for promotion's registries). */
export function environmentXrs(env: EnvironmentConfig, environments: readonly EnvironmentConfig[] = [env]): Obj[] {
  return synth((app) => new AwsResourcesChart(app, 'aws', { env, environments }));
}
