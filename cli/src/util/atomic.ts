import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync, existsSync, mkdtempSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/** Writes a file so that readers see either the old or the new content, never a half-written one. */
export function writeFileAtomic(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Replaces directory `target` with the files in `files` (relative path -> content) in one rename:
 * the new tree is written beside it in a temp dir, then swapped in. On any error nothing changes.
 */
export function replaceDirAtomic(target: string, files: ReadonlyMap<string, string | Buffer>): void {
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, `.${basename(target)}.tmp-`));
  chmodSync(tmp, 0o777 & ~process.umask()); // mkdtemp makes it 0700; the tree keeps this mode once renamed
  const old = `${tmp}.old`;
  try {
    for (const [rel, content] of files) {
      const file = join(tmp, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(target)) renameSync(old, target);
    throw err;
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
}
