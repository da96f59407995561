import type { RenderEnvironment } from './env-branch';

/** The cdk8s renderer of one environment, loaded when a command needs it (not for `--help`). */
export function cdk8sRenderer(): RenderEnvironment {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy CJS load, see commands/index.ts
  return (require('@metrics-platform/cdk8s/lib/render') as { renderEnvironment: RenderEnvironment }).renderEnvironment;
}
