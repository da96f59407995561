import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userSchemasCacheDir } from '../schemas/cache-dir';
import { findRepoRoot } from './repo-root';

export interface ResolveSchemasDirOptions {
  /** An explicit directory (the `--schemas` flag); wins over everything else. */
  readonly schemasDir?: string;
  /** @default the repository containing the working directory */
  readonly repoRoot?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Raised when no schemas directory can be found or a given one is unusable; says how to get the schemas. */
export class SchemasNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemasNotFoundError';
  }
}

const HOW_TO_GET =
  'run `npm run schemas:fetch` (downloads the pinned files into the user cache), ' +
  'or point --schemas / PLATFORM_SCHEMAS_DIR at a directory with kubernetes/ and crds/';

function isSchemasDir(dir: string): boolean {
  return existsSync(join(dir, 'kubernetes')) && existsSync(join(dir, 'crds'));
}

function checked(dir: string, source: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory())
    throw new SchemasNotFoundError(`${source}: got ${JSON.stringify(dir)}, which is not a directory; ${HOW_TO_GET}`);
  if (!isSchemasDir(abs))
    throw new SchemasNotFoundError(
      `${source}: got ${JSON.stringify(dir)}; expected a directory with kubernetes/ and crds/ in it; ${HOW_TO_GET}`,
    );
  return abs;
}

/**
 * The pinned upstream schemas, looked up in order: the flag, env `PLATFORM_SCHEMAS_DIR`,
 * `<repoRoot>/../shared/schemas`, then the user cache filled by `platform schemas fetch`.
 * An explicitly given location that is unusable is an error (never silently skipped).
 */
export function resolveSchemasDir(opts: ResolveSchemasDirOptions = {}): string {
  const env = opts.env ?? process.env;
  if (opts.schemasDir !== undefined) return checked(opts.schemasDir, '--schemas');
  const fromEnv = env.PLATFORM_SCHEMAS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return checked(fromEnv, 'PLATFORM_SCHEMAS_DIR');
  const repoRoot = opts.repoRoot ?? findRepoRoot();
  const tried: string[] = [];
  if (repoRoot !== undefined) {
    const shared = resolve(repoRoot, '..', 'shared', 'schemas');
    if (isSchemasDir(shared)) return shared;
    tried.push(shared);
  }
  const cache = userSchemasCacheDir(env);
  if (isSchemasDir(cache)) return cache;
  tried.push(cache);
  throw new SchemasNotFoundError(`no pinned schemas found (looked in ${tried.join(', ')}); ${HOW_TO_GET}`);
}
