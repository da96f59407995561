import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment, EnvironmentConfigError } from '@metrics-platform/cdk8s/lib/config';
import { renderAll, renderEnvironment } from '@metrics-platform/cdk8s/lib/render';
import { renderAllParallel, RenderWorkerError } from '@metrics-platform/cdk8s/lib/render-parallel';
import { renderThreads } from './threads';
import type { Tree } from './trees';

export { findRepoRoot } from './repo-root';
export {
  compareTrees,
  writeTrees,
  listFiles,
  recover,
  type Drift,
  type Tree,
  type TreeResult,
  type WriteReport,
} from './trees';
export { findForeignFiles, findStrays } from './strays';
export { countObjects, formatTable } from './summary';

export interface RenderOptions {
  /** Render only this environment's `dist/<env>` (and no cross-environment tree). */
  readonly env?: string;
}

/**
 * Renders the generated trees in memory, on the main thread; throws `EnvironmentConfigError` on a bad environment
 * file. A full render also returns an empty tree for every `dist/<name>/` whose environment file is gone, so that
 * synth removes it and `--check` reports it: Argo CD must never find a directory no source describes.
 */
export function renderTrees(repoRoot: string, options: RenderOptions = {}): Tree[] {
  if (options.env !== undefined) {
    const env = loadEnvironment(repoRoot, options.env);
    return [{ dir: `dist/${env.name}`, files: renderEnvironment(repoRoot, env) }];
  }
  return withOrphans(repoRoot, renderAll(repoRoot));
}

/**
 * `renderTrees`, the same trees in the same order and the same errors, with the environments of a full render
 * spread over worker threads when there are enough of them (threads.ts), or `threads` (PLATFORM_SYNTH_THREADS).
 * A worker that fails or exits is a `RenderWorkerError`.
 */
export async function renderTreesOnThreads(
  repoRoot: string,
  options: RenderOptions & { readonly threads?: number } = {},
): Promise<Tree[]> {
  if (options.env !== undefined) return renderTrees(repoRoot, options);
  const { trees } = await renderAllParallel(repoRoot, { threads: (n) => renderThreads(n, options.threads) });
  return withOrphans(repoRoot, trees);
}

function withOrphans(repoRoot: string, rendered: readonly Tree[]): Tree[] {
  const trees = [...rendered];
  const names = new Set(trees.map((t) => t.dir));
  const dist = join(repoRoot, 'dist');
  const orphans = existsSync(dist)
    ? readdirSync(dist, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !names.has(`dist/${d.name}`))
        .map((d) => d.name)
        .sort()
    : [];
  for (const name of orphans) trees.push({ dir: `dist/${name}`, files: new Map() });
  return trees;
}

export { EnvironmentConfigError, RenderWorkerError };
