import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's engines/ directory (cdk8s/src or cdk8s/lib -> repository root). */
const ENGINES_DIR = resolve(__dirname, '..', '..', '..', 'engines');

/**
 * The version engines/<dir>/go.mod requires of `module`: the one pin of a composition function, shared by the
 * Function package crossplane/ installs and the function the engine suite runs, so that both move together.
 */
export function pinnedModuleVersion(dir: string, module: string): string {
  const goMod = join(ENGINES_DIR, dir, 'go.mod');
  const text = readFileSync(goMod, 'utf8');
  const escaped = module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // `require M vX` or `replace ... => M vX` (where a module is published under another path than its go.mod's).
  const m = new RegExp(`(?:^\\s*(?:require\\s+)?|=>\\s*)${escaped}\\s+(v[0-9][^\\s]*)`, 'm').exec(text);
  if (m?.[1] === undefined) throw new Error(`${goMod}: no require or replacement of ${module}`);
  return m[1];
}
