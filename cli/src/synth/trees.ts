import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { replaceDirAtomic } from '../util/atomic';

/** One directory of generated files (the shape `renderAll` returns). */
export interface Tree {
  readonly dir: string;
  readonly files: ReadonlyMap<string, string>;
}

/** Every file under `dir`, relative to it, sorted; empty when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** One generated file that differs from what is committed. */
export interface Drift {
  /** Repository-relative path. */
  readonly file: string;
  readonly kind: 'missing' | 'stale' | 'changed';
  /** Unified diff, committed (a/) -> rendered (b/). */
  readonly diff: string;
}

/**
 * Compares rendered trees with the files under `root`. A file on disk that the sources no longer render is stale;
 * a rendered file that is not on disk is missing.
 */
export function compareTrees(root: string, trees: readonly Tree[]): Drift[] {
  const drifts: Drift[] = [];
  for (const tree of trees) {
    const onDisk = new Set(listFiles(join(root, tree.dir)));
    const names = [...new Set([...onDisk, ...tree.files.keys()])].sort();
    for (const name of names) {
      const file = `${tree.dir}/${name}`;
      const rendered = tree.files.get(name);
      const committed = onDisk.has(name) ? readFileSync(join(root, tree.dir, name), 'utf8') : undefined;
      if (rendered === committed) continue;
      const kind = committed === undefined ? 'missing' : rendered === undefined ? 'stale' : 'changed';
      const diff = createTwoFilesPatch(
        committed === undefined ? '/dev/null' : `a/${file}`,
        rendered === undefined ? '/dev/null' : `b/${file}`,
        committed ?? '',
        rendered ?? '',
        undefined,
        undefined,
        { context: 3 },
      );
      drifts.push({ file, kind, diff });
    }
  }
  return drifts;
}

/** Writes each tree under `root`, one atomic directory swap per tree. */
export function writeTrees(root: string, trees: readonly Tree[]): void {
  for (const tree of trees) replaceDirAtomic(join(root, tree.dir), tree.files);
}
