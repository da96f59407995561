import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../util/errors';

/** The lock file of a synth writing under a root (gitignored; removed when the synth ends). */
export const LOCK_FILE = '.synth.lock';

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // a reused pid: the holder is gone
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the lock of `root` (its stray and journal clean-up must not race another synth's writes) and returns a
 * function that releases it. A lock whose process is gone (a killed synth) is taken over; one held by a live
 * process is a CliError.
 */
export function acquireLock(root: string): () => void {
  const path = join(root, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = readHolder(path);
    if (holder === undefined) {
      // the holder may be between creating the file and writing its pid: look again before calling it stale
      pause(50);
      holder = readHolder(path);
    }
    if (holder !== undefined && alive(holder)) {
      throw new CliError(
        `${path}: another platform synth (pid ${holder}) is writing under ${root}; wait for it to finish`,
      );
    }
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new CliError(`${path}: could not take the synth lock after 5 attempts; is another synth starting?`);
}
