import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import {
  JOURNAL_FILE,
  applySwaps,
  asidePath,
  completeJournal,
  finishJournal,
  fsyncPath,
  readJournal,
  rollBackJournal,
  stagedPath,
  writeJournal,
  type Journal,
  type Swap,
} from './journal';
import { isGeneratedDir } from './layout';
import { acquireLock } from './lock';
import { removeForeignFiles, removeStrays } from './strays';

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

/** What `writeTrees` did to one tree. */
export interface TreeResult {
  readonly dir: string;
  /** `absent`: no files and no directory, nothing to do. */
  readonly status: 'unchanged' | 'written' | 'removed' | 'absent';
  /** Files the tree now has. */
  readonly files: number;
  /** Files added, rewritten and deleted (all 0 unless `written`). */
  readonly added: number;
  readonly changed: number;
  readonly deleted: number;
}

/** What one synth did under a root. */
export interface WriteReport {
  /** Trees of an interrupted synth that this one completed (see `recover`). */
  readonly recovered: readonly string[];
  /** Root-relative leftovers of interrupted synths that no journal accounted for, deleted. */
  readonly strays: readonly string[];
  /** Root-relative files at the top of `dist/`, which holds only generated trees, deleted. */
  readonly foreign: readonly string[];
  readonly trees: readonly TreeResult[];
}

/**
 * Completes the swaps of an interrupted synth (its journal) under `root`, holding the synth lock; returns the
 * trees it completed. Every synth, and `--check`, runs this first.
 */
export function recover(root: string): string[] {
  if (!existsSync(join(root, JOURNAL_FILE))) return [];
  const release = acquireLock(root);
  try {
    return recoverLocked(root);
  } finally {
    release();
  }
}

function recoverLocked(root: string): string[] {
  const journal = readJournal(root);
  if (journal === undefined) return [];
  completeJournal(root, journal);
  return journal.swaps.map((s) => s.dir);
}

function readIfFile(path: string): string | undefined {
  try {
    return lstatSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

function writeDurably(path: string, content: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Gives `dir` and its subdirectories the mode the user's umask asks for (earlier synths left them at 0700). */
function fixDirModes(dir: string, mode: number): void {
  if ((statSync(dir).mode & 0o777) !== mode) chmodSync(dir, mode);
  for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) fixDirModes(join(dir, d.name), mode);
}

/**
 * Writes the trees that differ from what is under `root`, crash-safe and all or nothing, and leaves the others
 * untouched (same inodes and mtimes).
 *
 * Under the synth lock it first completes an interrupted synth's journal and deletes strays. Then each changed
 * tree is staged in full beside its target (`dist/.dev.synth-new`): files whose content is unchanged are hard
 * links to the current ones, the others are written and fsynced. A failure while staging deletes the staged trees
 * and changes nothing. Then a journal naming every swap is written and fsynced, the swaps are done (each old tree
 * renamed aside, the staged one renamed into place), the old trees and the journal are deleted. A process killed
 * after the journal is written is completed by the next synth (or `--check`); one killed before leaves only
 * strays, which the next synth deletes. A swap that fails in this process is rolled back.
 */
export function writeTrees(root: string, trees: readonly Tree[]): WriteReport {
  mkdirSync(root, { recursive: true });
  const release = acquireLock(root);
  try {
    const recovered = recoverLocked(root);
    const strays = removeStrays(root);
    const foreign = removeForeignFiles(root);
    return { recovered, strays, foreign, trees: writeLocked(root, trees) };
  } finally {
    release();
  }
}

function writeLocked(root: string, trees: readonly Tree[]): TreeResult[] {
  const dirMode = 0o777 & ~process.umask();
  const results: TreeResult[] = [];
  const swaps: Swap[] = [];
  try {
    for (const tree of trees) {
      if (!isGeneratedDir(tree.dir)) throw new Error(`${tree.dir}: not a directory synth generates (see layout.ts)`);
      const target = join(root, tree.dir);
      const onDisk = existsSync(target) ? listFiles(target) : [];
      const result = { dir: tree.dir, files: tree.files.size, added: 0, changed: 0, deleted: 0 };
      if (tree.files.size === 0) {
        // a tree no source renders any more: remove its directory rather than keep it empty
        const present = existsSync(target);
        if (present) swaps.push({ dir: tree.dir, staged: null, aside: asidePath(tree.dir) });
        results.push({ ...result, status: present ? 'removed' : 'absent', deleted: onDisk.length });
        continue;
      }
      const current = new Map(onDisk.map((rel) => [rel, readIfFile(join(target, rel))]));
      const deleted = onDisk.filter((rel) => !tree.files.has(rel)).length;
      const differs = [...tree.files].filter(([rel, content]) => current.get(rel) !== content);
      if (deleted === 0 && differs.length === 0) {
        fixDirModes(target, dirMode);
        results.push({ ...result, status: 'unchanged' });
        continue;
      }
      const swap: Swap = { dir: tree.dir, staged: stagedPath(tree.dir), aside: asidePath(tree.dir) };
      const staged = join(root, swap.staged!);
      mkdirSync(dirname(staged), { recursive: true });
      mkdirSync(staged);
      swaps.push(swap);
      const dirs = new Set<string>([staged]);
      for (const [rel, content] of tree.files) {
        const file = join(staged, rel);
        if (!dirs.has(dirname(file))) {
          mkdirSync(dirname(file), { recursive: true });
          for (let d = dirname(file); d !== staged; d = dirname(d)) dirs.add(d);
        }
        if (current.get(rel) === content) {
          try {
            linkSync(join(target, rel), file); // unchanged: the same inode and mtime
            continue;
          } catch {
            // a file system without hard links: write a copy
          }
        }
        writeDurably(file, content);
      }
      for (const d of dirs) fsyncPath(d);
      const added = differs.filter(([rel]) => !current.has(rel)).length;
      results.push({ ...result, status: 'written', added, changed: differs.length - added, deleted });
    }
  } catch (err) {
    for (const s of swaps) if (s.staged !== null) rmSync(join(root, s.staged), { recursive: true, force: true });
    throw err;
  }
  if (swaps.length === 0) return results;

  const journal: Journal = { version: 1, swaps };
  writeJournal(root, journal);
  try {
    applySwaps(root, journal);
  } catch (err) {
    rollBackJournal(root, journal);
    throw err;
  }
  finishJournal(root, journal);
  return results;
}
