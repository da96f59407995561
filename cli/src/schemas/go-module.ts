import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { probeGoProxy, type GoProxySettings } from './go-proxy';
import { HttpClient, type HttpGetError } from './http-get';
import { WAYS_OUT_GO } from './ways-out';

/** A module as `go mod download -json` reports it: where go extracted it, after checking it against go.sum. */
export interface DownloadedModule {
  readonly path: string;
  readonly version: string;
  /** The go.sum `h1:` hash of the module's content. */
  readonly sum: string;
  /** The extracted module directory in the module cache. */
  readonly dir: string;
}

/**
 * Runs `go mod download -json MODULE` in a Go module directory (`engines/<dir>`). `version`, when known, lets the
 * downloader skip checking the Go module proxy for a module already in the module cache.
 */
export type ModuleDownloader = (moduleDir: string, module: string, version?: string) => Promise<DownloadedModule>;

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

interface GoRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs go; rejects only when it cannot be started, with the one-line message for a missing go. */
function runGo(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number, module: string) {
  return new Promise<GoRun>((resolve, reject) => {
    const child = spawn('go', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
            : `go ${args.join(' ')}: ${err.message}`,
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `go env` as go sees it in `dir` (go.env, `go env -w` and the environment); empty when go env fails. */
async function readGoEnv(dir: string, env: NodeJS.ProcessEnv, module: string): Promise<GoEnvSettings> {
  const r = await runGo(['env', '-json', 'GOPROXY', 'GONOPROXY', 'GOPRIVATE', 'GOMODCACHE'], dir, env, 30_000, module);
  if (r.code !== 0) return {};
  try {
    return JSON.parse(r.stdout) as GoEnvSettings;
  } catch {
    return {};
  }
}

interface GoEnvSettings extends GoProxySettings {
  readonly GOMODCACHE?: string;
}

export interface GoModDownloaderProps {
  /** go's environment (GOPROXY, HTTPS_PROXY, GOMODCACHE, ...). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** A `go mod download` still running after this long is killed. @default 600000 */
  readonly timeoutMs?: number;
  /** How long the Go module proxy may stay silent before the download is given up. @default DEFAULT_STALL_MS */
  readonly stallMs?: number;
}

/**
 * The default downloader: the `go` on PATH, with `-mod=readonly` (go.mod and go.sum are never rewritten) and
 * `GOTOOLCHAIN=local` (no toolchain download), the way the engines are built. go verifies the module against the
 * directory's go.sum before it reports it. A module not yet in the module cache is first asked of the Go module
 * proxy `go env GOPROXY` names, the way go reaches it (HTTPS_PROXY, NO_PROXY): go itself waits on a silent proxy
 * for more than a minute, this fails within `stallMs` naming the proxy and the ways out.
 */
export function goModDownloader(props: GoModDownloaderProps = {}): ModuleDownloader {
  const env = props.env ?? process.env;
  const timeoutMs = props.timeoutMs ?? 600_000;
  const goEnv = { ...env, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=readonly`.trim(), GOTOOLCHAIN: 'local' };
  return async (moduleDir, module, version) => {
    const settings = await readGoEnv(moduleDir, goEnv, module);
    const modcache = settings.GOMODCACHE;
    const cached =
      version !== undefined &&
      modcache !== undefined &&
      modcache !== '' &&
      existsSync(
        join(modcache, 'cache', 'download', escapeModulePath(module), '@v', `${escapeModulePath(version)}.zip`),
      );
    if (!cached) {
      const client = new HttpClient({ env: goEnv, stallMs: props.stallMs, bypassLoopback: true });
      const path = `${escapeModulePath(module)}/@v/${version === undefined ? 'list' : `${escapeModulePath(version)}.info`}`;
      let failed: HttpGetError | undefined;
      try {
        failed = await probeGoProxy(settings, module, path, client);
      } finally {
        await client.close();
      }
      if (failed !== undefined)
        throw new GoModuleError(
          `go mod download ${module} in ${moduleDir}: cannot reach the Go module proxy ${failed.target} ` +
            `(go env GOPROXY): ${failed.reason}; ${WAYS_OUT_GO}`,
        );
    }
    const r = await runGo(['mod', 'download', '-json', module], moduleDir, goEnv, timeoutMs, module);
    let info: { Path?: string; Version?: string; Sum?: string; Dir?: string; Error?: string } = {};
    try {
      info = JSON.parse(r.stdout) as typeof info;
    } catch {
      // go failed before printing JSON (bad go.mod, too old a Go): its stderr says why
    }
    if (r.code === 0 && info.Dir !== undefined && info.Version !== undefined && info.Sum !== undefined)
      return { path: info.Path ?? module, version: info.Version, sum: info.Sum, dir: info.Dir };
    if (r.signal !== null)
      throw new GoModuleError(
        `go mod download ${module} in ${moduleDir}: killed (${r.signal}) after ${timeoutMs / 1000} s; ${WAYS_OUT_GO}`,
      );
    const why = info.Error ?? r.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new GoModuleError(`go mod download ${module} in ${moduleDir} failed: ${why || `exit ${r.code}`}`);
  };
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
