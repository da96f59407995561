import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { PINNED_SCHEMAS_ID } from './manifest';

/**
 * Where `platform schemas fetch` puts the pinned schemas: `$XDG_CACHE_HOME/metrics-platform/schemas/<pin-id>`,
 * else `~/.cache/metrics-platform/schemas/<pin-id>`. A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
 */
export function userSchemasCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'metrics-platform', 'schemas', PINNED_SCHEMAS_ID);
}
