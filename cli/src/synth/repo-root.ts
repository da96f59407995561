import { resolve } from 'node:path';
import { findRepoRoot as findWorkspaceRoot } from '../validate/repo-root';

/**
 * The repository root: the nearest npm-workspaces root at or above `start` (the same rule `platform validate`
 * uses), else the repository this CLI was built in, so `platform synth` works from any directory.
 */
export function findRepoRoot(start: string = process.cwd()): string {
  // cli/lib/synth/ -> repository root
  return findWorkspaceRoot(start) ?? resolve(__dirname, '..', '..', '..');
}
