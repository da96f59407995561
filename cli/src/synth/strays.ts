import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_FILE } from './journal';
import { GENERATED_PARENTS } from './layout';

// `.<tree>.synth-new|old` (this synth), `.<tree>.tmp-XXXXXX[.old]` (mkdtemp names of earlier synth versions)
const STRAY = /^\.(.+)\.(?:synth-new|synth-old|tmp-[A-Za-z0-9]{6,}(?:\.old)?)$/;

/**
 * Root-relative paths of what an interrupted synth left behind and no journal accounts for: staged or old copies
 * of generated trees, and a half-written journal. Call it after the journal is recovered (a journal names its
 * staged and old trees, which are not strays until it is completed).
 */
export function findStrays(root: string): string[] {
  const strays: string[] = [];
  if (existsSync(join(root, `${JOURNAL_FILE}.tmp`))) strays.push(`${JOURNAL_FILE}.tmp`);
  for (const { parent, names } of GENERATED_PARENTS) {
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const m = STRAY.exec(name);
      if (m !== null && (names === undefined || names.includes(m[1]!)))
        strays.push(parent ? `${parent}/${name}` : name);
    }
  }
  return strays;
}

/** Deletes the strays under `root` and returns what it deleted. */
export function removeStrays(root: string): string[] {
  const strays = findStrays(root);
  for (const s of strays) rmSync(join(root, s), { recursive: true, force: true });
  return strays;
}

/**
 * Root-relative files directly in a parent that holds only generated trees (`dist/`): never written by synth (a
 * `cdk8s synth -o dist`, a copied file), so nothing describes them. Dot-files (`.gitkeep`) are left alone.
 */
export function findForeignFiles(root: string): string[] {
  const foreign: string[] = [];
  for (const { parent, names } of GENERATED_PARENTS) {
    if (names !== undefined || parent === '') continue;
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    for (const d of readdirSync(dir, { withFileTypes: true }))
      if (!d.isDirectory() && !d.name.startsWith('.')) foreign.push(`${parent}/${d.name}`);
  }
  return foreign.sort();
}

/** Deletes the foreign files under `root` (see `findForeignFiles`) and returns what it deleted. */
export function removeForeignFiles(root: string): string[] {
  const foreign = findForeignFiles(root);
  for (const f of foreign) rmSync(join(root, f), { force: true });
  return foreign;
}
