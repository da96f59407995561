import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Git, Worktree } from './git';

/** Prefix of the temporary worktrees `bump` and `promote` work in, under the OS temp dir. */
const PREFIX = 'platform-';
/** An unlocked one (made before worktrees carried their owner) older than this is a leftover: no bump takes an hour. */
const UNLOCKED_STALE_MS = 60 * 60 * 1000;

/** The lock reason that names the process working in a temporary worktree (or holding a turn, see turn.ts). */
export function ownerReason(pid: number = process.pid): string {
  return `platform pid ${pid} on ${hostname()}`;
}

/** Whether `reason` (from `ownerReason`) names a process of this host that no longer exists. */
export function ownerDied(reason: string): boolean {
  const owner = /^platform pid (\d+) on (.+)$/.exec(reason);
  return owner !== null && owner[2] === hostname() && !isAlive(Number(owner[1]));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Adds a detached temporary worktree of `rev` under the OS temp dir, locked with this process's id as the reason,
 * so that a later run can tell a worktree whose process died (kill -9) from one that is in use.
 */
export function addTempWorktree(git: Git, name: string, rev: string): string {
  const path = mkdtempSync(join(tmpdir(), `${PREFIX}${name}-`));
  try {
    git.run(['worktree', 'add', '--quiet', '--detach', '--lock', '--reason', ownerReason(), path, rev]);
  } catch (err) {
    rmSync(path, { recursive: true, force: true });
    throw err;
  }
  return path;
}

/**
 * Unregisters and deletes a temporary worktree (locked, so forced twice); never fails. `worktree remove` deletes its
 * admin files with it; only when it failed (the directory was already gone, say) does `worktree prune` drop them.
 */
export function removeTempWorktree(git: Git, path: string): void {
  const removed = git.try(['worktree', 'remove', '--force', '--force', path]).code === 0;
  rmSync(path, { recursive: true, force: true });
  if (!removed) git.try(['worktree', 'prune']);
}

/**
 * Removes the temporary worktrees of this repository left by runs that died without cleaning up: locked by a process
 * of this host that no longer exists, or (from before worktrees were locked) unlocked and older than an hour.
 * Worktrees of live processes, of other hosts and anything not under the temp dir are left alone. Returns the paths.
 * `entries`: the repository's worktrees, when the caller has just listed them.
 */
export function pruneStaleWorktrees(
  git: Git,
  now: number = Date.now(),
  entries: readonly Worktree[] = git.worktrees(),
): string[] {
  const pruned: string[] = [];
  for (const { path, locked } of entries) {
    if (dirname(path) !== tmpdir() || !basename(path).startsWith(PREFIX)) continue;
    let stale: boolean;
    if (locked !== undefined) {
      stale = ownerDied(locked);
    } else {
      let mtime: number;
      try {
        mtime = statSync(path).mtimeMs;
      } catch {
        mtime = 0; // gone: `git worktree prune` would drop it too
      }
      stale = now - mtime > UNLOCKED_STALE_MS;
    }
    if (stale) {
      removeTempWorktree(git, path);
      pruned.push(path);
    }
  }
  return pruned;
}
