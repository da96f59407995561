import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userSchemasCacheDir, userSchemasMemoDir } from '../schemas/cache-dir';
import { readSchemaPins, SchemaPinError, type SchemaPins } from '../schemas/pins';
import { checkAgainstPins } from '../schemas/verify';
import { findRepoRoot } from './repo-root';

export interface ResolveSchemasDirOptions {
  /** An explicit directory (the `--schemas` flag); wins over everything else. */
  readonly schemasDir?: string;
  /** @default the repository containing the working directory */
  readonly repoRoot?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** What `../shared/schemas` must match and which cache directory to use. @default readSchemaPins() */
  readonly pins?: SchemaPins;
  /** Remember a shared copy that matched (stats instead of hashing next time). @default true */
  readonly memo?: boolean;
}

/** The directory found, and why a candidate before it was passed over. */
export interface FoundSchemas {
  readonly dir: string;
  readonly notes: readonly string[];
}

/** Raised when no schemas directory can be found or a given one is unusable; says how to get the schemas. */
export class SchemasNotFoundError extends Error {
  constructor(
    message: string,
    /** Why candidates were passed over (a shared copy for other pins). */
    readonly notes: readonly string[] = [],
  ) {
    super(message);
    this.name = 'SchemasNotFoundError';
  }
}

const HOW_TO_GET =
  'run `npm run schemas:fetch` (fills the user cache from the pinned Go modules and GitHub files; needs Go), ' +
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
 * The pinned upstream schemas, looked up in order: the flag, env `PLATFORM_SCHEMAS_DIR` (both used as given),
 * `<repoRoot>/../shared/schemas` when it matches the pins (a fast local source, never a requirement), then the user
 * cache `platform schemas fetch` fills for this pin set. An explicitly given location that is unusable is an error
 * (never silently skipped); a shared copy for other pins is passed over with a note.
 */
export function findSchemas(opts: ResolveSchemasDirOptions = {}): FoundSchemas {
  const env = opts.env ?? process.env;
  if (opts.schemasDir !== undefined) return { dir: checked(opts.schemasDir, '--schemas'), notes: [] };
  const fromEnv = env.PLATFORM_SCHEMAS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return { dir: checked(fromEnv, 'PLATFORM_SCHEMAS_DIR'), notes: [] };
  let pins: SchemaPins;
  try {
    pins = opts.pins ?? readSchemaPins();
  } catch (err) {
    // engines/<dir>/go.mod or go.sum does not pin a schema module: nothing can be checked against the pins
    if (err instanceof SchemaPinError) throw new SchemasNotFoundError(`${err.message}; ${HOW_TO_GET}`);
    throw err;
  }
  const repoRoot = opts.repoRoot ?? findRepoRoot();
  const tried: string[] = [];
  const notes: string[] = [];
  if (repoRoot !== undefined) {
    const shared = resolve(repoRoot, '..', 'shared', 'schemas');
    if (isSchemasDir(shared)) {
      const memoDir = opts.memo === false ? undefined : userSchemasMemoDir(env);
      const problem = checkAgainstPins(shared, pins, { env, memoDir });
      if (problem === undefined) return { dir: shared, notes };
      notes.push(`${shared} does not match the pins (${problem}): not used`);
      tried.push(`${shared} (does not match the pins)`);
    } else tried.push(shared);
  }
  const cache = userSchemasCacheDir(env, pins);
  if (isSchemasDir(cache)) return { dir: cache, notes };
  tried.push(cache);
  throw new SchemasNotFoundError(`no pinned schemas found (looked in ${tried.join(', ')}); ${HOW_TO_GET}`, notes);
}

/** The schemas directory `findSchemas` finds. */
export function resolveSchemasDir(opts: ResolveSchemasDirOptions = {}): string {
  return findSchemas(opts).dir;
}
