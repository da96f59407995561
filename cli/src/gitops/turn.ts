import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownerDied, ownerReason } from './temp-worktree';

/** A lock file without a readable owner (never written by this code) older than this is a leftover. */
const UNREADABLE_STALE_MS = 60_000;

export interface TurnOptions {
  /** Give up waiting after this long and go ahead without the turn. @default 60_000 */
  readonly waitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Progress lines (stderr). */
  readonly log?: (line: string) => void;
}

/** The owner named in a lock file, or undefined when it has none this code wrote. */
function readOwner(lock: string): string | undefined {
  try {
    return readFileSync(lock, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Creates the lock file naming `owner`: written completely beside it, then hard-linked into place (fails if it
 * exists), so a lock file is never seen half-written; the draft exists only for that moment.
 */
function tryLock(lock: string, owner: string): 'taken' | 'held' | 'unavailable' {
  const draft = `${lock}.${process.pid}.draft`;
  try {
    writeFileSync(draft, owner);
    linkSync(draft, lock);
    return 'taken';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EEXIST' ? 'held' : 'unavailable';
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Whether the lock file is left by a process that died (this host) or is an unreadable leftover. */
function isStale(lock: string, owner: string | undefined, now: number): boolean {
  if (owner !== undefined && /^platform pid \d+ on /.test(owner)) return ownerDied(owner);
  try {
    return now - statSync(lock).mtimeMs > UNREADABLE_STALE_MS;
  } catch {
    return false; // gone meanwhile: the next try takes it
  }
}

/**
 * Takes the turn `name` among the commands of this repository (`gitDir`: its common git dir), waiting while a live
 * process of this host holds it; returns the release. The lock file names its owner (pid and host): one left by a
 * process that died (kill -9) is removed at once. Only an optimisation, never a guarantee: concurrent bumps of one
 * clone and one environment take turns instead of all rendering and pushing at once and all but one losing the push.
 * Whoever waits longer than `waitMs` (a holder on another host, a hung one) goes ahead anyway; correctness rests on
 * the push to the remote, which accepts only a fast-forward of the tip the commit was made on.
 */
export async function takeTurn(gitDir: string, name: string, options: TurnOptions = {}): Promise<() => void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const lock = join(gitDir, `platform-${name}.lock`);
  const mine = ownerReason();
  const deadline = now() + (options.waitMs ?? 60_000);
  for (let polls = 0; ; polls++) {
    const taken = tryLock(lock, mine);
    if (taken === 'unavailable') return () => undefined; // no turns here (read-only, no hard links): the push decides
    if (taken === 'taken') {
      return () => {
        if (readOwner(lock) === mine) rmSync(lock, { force: true });
      };
    }
    const owner = readOwner(lock);
    if (isStale(lock, owner, now())) {
      rmSync(lock, { force: true });
      continue;
    }
    if (now() >= deadline) {
      options.log?.(
        `${lock} is still held (${owner?.trim() || 'no owner named'}) after ${(options.waitMs ?? 60_000) / 1000} s; going ahead without waiting for it`,
      );
      return () => undefined;
    }
    await sleep(Math.min(200, 10 + 5 * polls) * (0.5 + Math.random()));
  }
}
