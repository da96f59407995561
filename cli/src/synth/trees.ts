import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';

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

interface Staged {
  readonly target: string;
  readonly tmp: string;
  old?: string;
}

/**
 * Writes every tree under `root`, all or nothing. Each tree is first written in full to a temp dir beside its target
 * (a failure there removes the temp dirs and changes nothing); then each is swapped in with two renames, and if a
 * swap fails, the trees already swapped are put back; a tree without files ends up removed. (util/atomic's replaceDirAtomic does this for one tree; a synth
 * must not leave dist/dev new and dist/prod old.)
 */
export function writeTrees(root: string, trees: readonly Tree[]): void {
  const staged: Staged[] = [];
  try {
    for (const tree of trees) {
      const target = join(root, tree.dir);
      mkdirSync(dirname(target), { recursive: true });
      const entry: Staged = { target, tmp: mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`)) };
      staged.push(entry);
      for (const [rel, content] of tree.files) {
        const file = join(entry.tmp, rel);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
  } catch (err) {
    for (const s of staged) rmSync(s.tmp, { recursive: true, force: true });
    throw err;
  }

  const swapped: Staged[] = [];
  try {
    for (const s of staged) {
      if (existsSync(s.target)) {
        s.old = `${s.tmp}.old`;
        renameSync(s.target, s.old);
      }
      try {
        renameSync(s.tmp, s.target);
      } catch (err) {
        if (s.old !== undefined) renameSync(s.old, s.target);
        throw err;
      }
      swapped.push(s);
    }
  } catch (err) {
    for (const s of swapped.reverse()) {
      rmSync(s.target, { recursive: true, force: true });
      if (s.old !== undefined) renameSync(s.old, s.target);
    }
    for (const s of staged) rmSync(s.tmp, { recursive: true, force: true });
    throw err;
  }
  for (const s of swapped) if (s.old !== undefined) rmSync(s.old, { recursive: true, force: true });
  // A tree with no files is one the sources no longer render: remove its directory rather than keep it empty.
  trees.forEach((tree, i) => {
    if (tree.files.size === 0) rmSync(staged[i]!.target, { recursive: true, force: true });
  });
}
