import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors';

/** Names of the environments (`environments/<name>.yaml`) of a checkout. */
export function environmentNames(repoRoot: string): string[] {
  try {
    return readdirSync(join(repoRoot, 'environments'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length))
      .sort();
  } catch {
    return [];
  }
}

/** Fails with a UsageError naming the flag unless `name` is one of the repository's environments. */
export function checkEnvironment(repoRoot: string, name: string, flag: string): string {
  const known = environmentNames(repoRoot);
  if (!known.includes(name)) {
    throw new UsageError(
      `${flag}: got ${JSON.stringify(name)}; expected one of the environments: ${known.join(', ') || '(none found)'}`,
    );
  }
  return name;
}
