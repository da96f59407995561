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
  // written completely beside the lock, then linked into place: a lock file is never seen half-written
  const draft = `${lock}.${process.pid}.draft`;
  writeFileSync(draft, mine);
  const deadline = now() + (options.waitMs ?? 60_000);
  try {
    for (let polls = 0; ; polls++) {
      try {
        linkSync(draft, lock);
        return () => {
          if (readOwner(lock) === mine) rmSync(lock, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
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
  } finally {
    rmSync(draft, { force: true });
  }
}
