import type { RenderEnvironment } from './env-branch';

/**
 * The cdk8s renderer of one environment, loaded on its first call: a command that ends before rendering (bad input,
 * a bump to the pin the branch already runs) does not load cdk8s and cdk8s-plus at all.
 */
export function cdk8sRenderer(): RenderEnvironment {
  let render: RenderEnvironment | undefined;
  return (repoRoot, env) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy CJS load, see commands/index.ts
    render ??= (require('@metrics-platform/cdk8s/lib/render') as { renderEnvironment: RenderEnvironment })
      .renderEnvironment;
    return render(repoRoot, env);
  };
}
