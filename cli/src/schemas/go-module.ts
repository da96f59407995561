import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

/** A module as `go mod download -json` reports it: where go extracted it, after checking it against go.sum. */
export interface DownloadedModule {
  readonly path: string;
  readonly version: string;
  /** The go.sum `h1:` hash of the module's content. */
  readonly sum: string;
  /** The extracted module directory in the module cache. */
  readonly dir: string;
}

/** Runs `go mod download -json MODULE` in a Go module directory (`engines/<dir>`). */
export type ModuleDownloader = (moduleDir: string, module: string) => Promise<DownloadedModule>;

/** Go is missing or `go mod download` failed; the message is one line. */
export class GoModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoModuleError';
  }
}

/** What a machine without Go can do instead; part of the message when `go` cannot be started. */
export const WITHOUT_GO =
  'set PLATFORM_SCHEMAS_DIR to a schemas directory, put one matching the pins at ../shared/schemas ' +
  '(`platform schemas fetch --dest DIR` on a machine with Go makes one), or install Go 1.26 or later';

/**
 * The default downloader: the `go` on PATH, with `-mod=readonly` (go.mod and go.sum are never rewritten) and
 * `GOTOOLCHAIN=local` (no toolchain download), the way the engines are built. go verifies the module against the
 * directory's go.sum before it reports it.
 */
export function goModDownloader(env: NodeJS.ProcessEnv = process.env, timeoutMs = 600_000): ModuleDownloader {
  const goEnv = { ...env, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=readonly`.trim(), GOTOOLCHAIN: 'local' };
  return (moduleDir, module) =>
    new Promise((resolve, reject) => {
      const child = spawn('go', ['mod', 'download', '-json', module], {
        cwd: moduleDir,
        env: goEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new GoModuleError(
            err.code === 'ENOENT'
              ? `go: not found on PATH; the pinned schemas of ${module} are read from the Go module engines/ pins; ${WITHOUT_GO}`
              : `go mod download ${module}: ${err.message}`,
          ),
        );
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        let info: { Path?: string; Version?: string; Sum?: string; Dir?: string; Error?: string } = {};
        try {
          info = JSON.parse(stdout) as typeof info;
        } catch {
          // go failed before printing JSON (bad go.mod, too old a Go): its stderr says why
        }
        if (code === 0 && info.Dir !== undefined && info.Version !== undefined && info.Sum !== undefined) {
          resolve({ path: info.Path ?? module, version: info.Version, sum: info.Sum, dir: info.Dir });
          return;
        }
        const why =
          info.Error ??
          (signal !== null
            ? `killed (${signal}) after ${timeoutMs} ms`
            : stderr.trim().split('\n').slice(-3).join(' | '));
        reject(new GoModuleError(`go mod download ${module} in ${moduleDir} failed: ${why || `exit ${code}`}`));
      });
    });
}

/** A module path or version as the module cache spells it on disk: each upper-case letter becomes `!` + lower case. */
export function escapeModulePath(p: string): string {
  return p.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/**
 * The module cache directory, found without running go: `GOMODCACHE`, else the first `GOPATH` entry's `pkg/mod`,
 * else `~/go/pkg/mod` (go's own defaults). Settings made with `go env -w` are not seen, so a module may be missed.
 */
export function moduleCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GOMODCACHE !== undefined && isAbsolute(env.GOMODCACHE)) return env.GOMODCACHE;
  const gopath = (env.GOPATH ?? '').split(delimiter).find((p) => p !== '' && isAbsolute(p));
  return join(gopath ?? join(env.HOME ?? homedir(), 'go'), 'pkg', 'mod');
}

/** Where go extracts `module@version` in the module cache. */
export function extractedModuleDir(module: string, version: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(moduleCacheDir(env), `${escapeModulePath(module)}@${escapeModulePath(version)}`);
}
