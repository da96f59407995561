import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveSchemasDir } from '../validate/schemas-dir';

/** The repository root (this file is `cli/src/containers/` or `cli/lib/containers/`). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** A repository file's text, read relative to the root. */
export function readRepoFile(relativePath: string): string {
  return readFileSync(join(REPO_ROOT, relativePath), 'utf8');
}

/**
 * The pinned upstream Compose Specification schema: `compose/compose-spec.json` in the schemas directory
 * `platform validate` reads (`resolveSchemasDir`: PLATFORM_SCHEMAS_DIR, a ../shared/schemas matching the pins, the
 * user cache). A missing file is an error that says where it looked.
 */
export function composeSpecSchemaPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = resolveSchemasDir({ env, repoRoot: REPO_ROOT });
  const path = join(dir, 'compose', 'compose-spec.json');
  if (!existsSync(path))
    throw new Error(
      `compose-spec.json not found at ${path}; expected compose/compose-spec.json in the schemas directory`,
    );
  return path;
}
