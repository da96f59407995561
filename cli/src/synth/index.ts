import { loadEnvironment, EnvironmentConfigError } from '@metrics-platform/cdk8s/lib/config';
import { renderAll, renderEnvironment } from '@metrics-platform/cdk8s/lib/render';
import type { Tree } from './trees';

export { findRepoRoot } from './repo-root';
export { compareTrees, writeTrees, listFiles, type Drift, type Tree } from './trees';
export { countObjects, formatTable } from './summary';

export interface RenderOptions {
  /** Render only this environment's `dist/<env>` (and no cross-environment tree). */
  readonly env?: string;
}

/** Renders the generated trees in memory; throws `EnvironmentConfigError` on a bad environment file. */
export function renderTrees(repoRoot: string, options: RenderOptions = {}): Tree[] {
  if (options.env === undefined) return renderAll(repoRoot);
  const env = loadEnvironment(repoRoot, options.env);
  return [{ dir: `dist/${env.name}`, files: renderEnvironment(repoRoot, env) }];
}

export { EnvironmentConfigError };
