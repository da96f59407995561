import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { userCacheRoot } from '../util/user-cache';

type EnableCompileCache = (dir?: string) => { status: number; message?: string };

/**
 * Lets Node (>= 22.1) keep the CLI's and its packages' compiled code in the user cache, so each run skips most of
 * compiling cdk8s, cdk8s-plus, zod and the rest (start-up is most of a short command's time). Older Node has no
 * such cache: nothing happens. A cache that cannot be written is Node's to skip; it never fails the command.
 */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const enable = (nodeModule as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (typeof enable !== 'function' || env.NODE_DISABLE_COMPILE_CACHE !== undefined) return undefined;
  const dir = join(userCacheRoot(env), 'node-compile-cache');
  enable(dir);
  return dir;
}
