import { App, YamlOutputType } from 'cdk8s';
import { addEnvironmentCharts } from './charts/environment';
import { loadEnvironments } from './config/load';

/**
 * Entry point of `cdk8s synth` (see cdk8s.yaml): every environment's charts in one App, one file per chart, into
 * cdk8s.out/. `platform synth` renders the same charts into dist/<env>/.
 */
function main(): void {
  const repoRoot = process.cwd();
  const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const envs = loadEnvironments(repoRoot);
  for (const env of envs) addEnvironmentCharts(app, env, `${env.name}-`, envs);
  app.synth();
}

main();
