import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The repository root: the nearest directory at or above `start` holding `environments/` and `cdk8s.yaml`, else the
 * repository this CLI was built in (so `platform synth` works from any sub-directory or from outside).
 */
export function findRepoRoot(start: string = process.cwd()): string {
  let dir = resolve(start);
  for (let i = 0; i < 64; i++) {
    if (existsSync(join(dir, 'environments')) && existsSync(join(dir, 'cdk8s.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // cli/lib/synth/ -> repository root
  return resolve(__dirname, '..', '..', '..');
}
