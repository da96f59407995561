import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file is `cli/src/containers/` or `cli/lib/containers/`). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** A repository file's text, read relative to the root. */
export function readRepoFile(relativePath: string): string {
  return readFileSync(join(REPO_ROOT, relativePath), 'utf8');
}

/**
 * The pinned upstream Compose Specification schema: `$PLATFORM_SCHEMAS_DIR/compose/compose-spec.json`, by default
 * `<repo>/../shared/schemas/compose/compose-spec.json`. A missing file is an error that says where it looked.
 */
export function composeSpecSchemaPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.PLATFORM_SCHEMAS_DIR;
  const dir =
    fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : resolve(REPO_ROOT, '..', 'shared', 'schemas');
  const path = join(dir, 'compose', 'compose-spec.json');
  if (!existsSync(path)) {
    const source = fromEnv ? `PLATFORM_SCHEMAS_DIR=${JSON.stringify(fromEnv)}` : 'the default <repo>/../shared/schemas';
    throw new Error(
      `compose-spec.json not found at ${path} (from ${source}); expected compose/compose-spec.json in it`,
    );
  }
  return path;
}
