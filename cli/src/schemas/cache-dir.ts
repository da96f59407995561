import { join } from 'node:path';
import { userCacheRoot } from '../util/user-cache';
import { readSchemaPins, type SchemaPins } from './pins';

export { userCacheRoot };

/** Where `platform schemas fetch` puts the pinned schemas: `<user cache>/schemas/<pin-set id>`. */
export function userSchemasCacheDir(env: NodeJS.ProcessEnv = process.env, pins: SchemaPins = readSchemaPins()): string {
  return join(userCacheRoot(env), 'schemas', pins.id);
}

/** Remembers schemas directories that matched a pin set (see `checkAgainstPins`); safe to delete. */
export function userSchemasMemoDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheRoot(env), 'schemas', 'verified');
}

/** Parsed CRD files as JSON, named by the sha256 of the YAML they come from (see validate/crd-json-cache.ts). */
export function userCrdJsonCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheRoot(env), 'crd-json');
}
