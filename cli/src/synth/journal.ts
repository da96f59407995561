import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError } from '../util/errors';
import { asidePath, isGeneratedDir, stagedPath } from './layout';

export { asidePath, stagedPath };

/** The journal of a synth's directory swaps, at the root it writes under (gitignored; deleted when done). */
export const JOURNAL_FILE = '.synth-journal.json';

/** One tree's swap: `staged` (complete, fsynced) replaces `dir`; the old `dir` is renamed to `aside`, then deleted. */
export interface Swap {
  /** Root-relative directory, e.g. `dist/dev`. */
  readonly dir: string;
  /** Root-relative staged directory; null when the tree is removed. */
  readonly staged: string | null;
  /** Root-relative name the old tree is moved to before it is deleted. */
  readonly aside: string;
}

export interface Journal {
  readonly version: 1;
  readonly swaps: readonly Swap[];
}

/** fsync a file or directory: a rename or unlink is durable only once its directory is. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes the journal durably: in full to a temp file, fsynced, renamed into place, directory fsynced. */
export function writeJournal(root: string, journal: Journal): void {
  const path = join(root, JOURNAL_FILE);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(journal, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncPath(root);
}

function isSwap(s: unknown): s is Swap {
  const o = s as Record<string, unknown>;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.dir === 'string' &&
    isGeneratedDir(o.dir) &&
    (o.staged === null || typeof o.staged === 'string') &&
    typeof o.aside === 'string' &&
    o.aside === asidePath(o.dir) &&
    (o.staged === null || o.staged === stagedPath(o.dir))
  );
}

/** The journal under `root`, or undefined when there is none (no synth was interrupted mid-swap). */
export function readJournal(root: string): Journal | undefined {
  const path = join(root, JOURNAL_FILE);
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`${path}: got unreadable JSON (${(err as Error).message}); expected a synth journal`);
  }
  const j = parsed as { version?: unknown; swaps?: unknown };
  if (j.version !== 1 || !Array.isArray(j.swaps) || !j.swaps.every(isSwap)) {
    throw new CliError(
      `${path}: got ${JSON.stringify(parsed).slice(0, 120)}; expected {"version": 1, "swaps": [{dir, staged, aside}]}`,
    );
  }
  return { version: 1, swaps: j.swaps };
}

/**
 * Rolls every swap of the journal forward. Idempotent, so a synth killed here is completed by the next one: a swap
 * whose staged directory still exists has not happened (move the old tree aside if it is still in place, then
 * rename the staged one in); one whose staged directory is gone is done.
 */
export function applySwaps(root: string, journal: Journal): void {
  const abs = (p: string) => join(root, p);
  const parents = new Set<string>();
  for (const s of journal.swaps) {
    parents.add(dirname(abs(s.dir)));
    if (s.staged !== null && !existsSync(abs(s.staged))) continue; // already in place
    if (existsSync(abs(s.dir))) {
      if (existsSync(abs(s.aside))) {
        throw new CliError(
          `${abs(s.aside)}: got an old tree while ${abs(s.dir)} is still in place; expected at most one ` +
            `(remove whichever is not the tree you want, then run synth again)`,
        );
      }
      renameSync(abs(s.dir), abs(s.aside));
    }
    if (s.staged !== null) renameSync(abs(s.staged), abs(s.dir));
  }
  for (const p of parents) fsyncPath(p);
}

/** Deletes the old trees of a journal whose swaps are all done, then the journal. */
export function finishJournal(root: string, journal: Journal): void {
  for (const s of journal.swaps) rmSync(join(root, s.aside), { recursive: true, force: true });
  unlinkSync(join(root, JOURNAL_FILE));
  fsyncPath(root);
}

/** Completes an interrupted synth: every swap of its journal rolled forward, old trees and journal deleted. */
export function completeJournal(root: string, journal: Journal): void {
  applySwaps(root, journal);
  finishJournal(root, journal);
}

/**
 * Undoes the swaps of a journal whose `applySwaps` failed in this process (e.g. a rename refused): every tree gets
 * its old content back, the staged trees are deleted, then the journal. A kill in here leaves the journal, and
 * the next synth rolls forward instead: either way each tree ends wholly old or wholly new.
 */
export function rollBackJournal(root: string, journal: Journal): void {
  const abs = (p: string) => join(root, p);
  for (const s of [...journal.swaps].reverse()) {
    // swapped in: put the new tree back where it was staged, so that a roll-forward would still find it
    if (s.staged !== null && !existsSync(abs(s.staged)) && existsSync(abs(s.dir))) {
      renameSync(abs(s.dir), abs(s.staged));
    }
    if (existsSync(abs(s.aside))) renameSync(abs(s.aside), abs(s.dir));
  }
  for (const s of journal.swaps) if (s.staged !== null) rmSync(abs(s.staged), { recursive: true, force: true });
  unlinkSync(join(root, JOURNAL_FILE));
  fsyncPath(root);
}
