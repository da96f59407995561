import { basename, dirname, join } from 'node:path';

/**
 * Where synth writes: each generated tree's parent directory and the tree names in it (`undefined`: any name,
 * `dist/` holds only generated trees). Synth's staging and aside directories live beside their tree, so this is
 * also where an interrupted synth can leave them.
 */
export const GENERATED_PARENTS: readonly { readonly parent: string; readonly names?: readonly string[] }[] = [
  { parent: '', names: ['crossplane'] },
  { parent: 'argocd', names: ['apps'] },
  { parent: 'dist' },
];

/** Whether `dir` (root-relative, `/`-separated) is a place synth generates a tree: a journal may name nothing else. */
export function isGeneratedDir(dir: string): boolean {
  const slash = dir.lastIndexOf('/');
  const parent = slash < 0 ? '' : dir.slice(0, slash);
  const name = dir.slice(slash + 1);
  if (name === '' || name.startsWith('.') || name.includes('\\')) return false;
  return GENERATED_PARENTS.some((g) => g.parent === parent && (g.names === undefined || g.names.includes(name)));
}

/** `dist/.dev.synth-new`: where a tree is staged, beside it (a rename must not cross file systems). */
export const stagedPath = (dir: string): string => join(dirname(dir), `.${basename(dir)}.synth-new`);
/** `dist/.dev.synth-old`: where the old tree waits to be deleted. */
export const asidePath = (dir: string): string => join(dirname(dir), `.${basename(dir)}.synth-old`);
