import { existsSync, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors';

/**
 * Checks, before any work, that a directory flag (`synth --out DIR`) names a directory that exists or can be
 * created, and can be written: its nearest existing ancestor must be a directory in which a directory can really be
 * created (and is removed again). A file, a read-only or permission-denied path, or a pseudo file system such as
 * /proc fails here at once with a one-line UsageError, instead of midway through writing. Returns the absolute path.
 */
export function checkWritableDir(value: string, flag: string): string {
  const dir = resolve(value);
  const refuse = (why: string) =>
    new UsageError(
      `${flag}: got ${JSON.stringify(value)}; expected a directory that can be created and written (${why})`,
    );
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw refuse(existing === dir ? `${dir} is a file` : `${existing} is a file, not a directory`);
  }
  // Permission bits say too little (root, read-only mounts, /proc): try it.
  let probe: string;
  try {
    probe = mkdtempSync(join(existing, '.platform-write-check-'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw refuse(`cannot create a directory in ${existing}: ${e.code ?? e.message}`);
  }
  rmdirSync(probe);
  return dir;
}
