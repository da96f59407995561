import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { userCacheRoot } from '../schemas/cache-dir';
import { CliError } from '../util/errors';
import { ENGINE_MODULES, type EngineBinary, type EngineModule } from './modules';

/** Where each engine is: binaries by name, and the module-cache directory of each downloaded module. */
export interface Engines {
  readonly bins: Readonly<Record<EngineBinary, string>>;
  readonly modules: Readonly<Record<string, string>>;
}

export interface EnsureOptions {
  readonly repoRoot: string;
  /** Progress lines go here (default: stderr). */
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

const MANIFEST = 'engines.json';

/** `<user cache>/engines`: one directory per module build, named by the hash of everything that goes into it. */
export function enginesCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheRoot(env), 'engines');
}

/**
 * Builds every engine module that is not in the cache yet (keyed by the Go version and the hash of the module's
 * go.mod, go.sum and sources), and returns where everything is. A warm call only hashes a few small files.
 */
export async function ensureEngines(opts: EnsureOptions): Promise<Engines> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = opts.env ?? process.env;
  const goVersion = goVersionOrFail(env);
  const bins: Partial<Record<EngineBinary, string>> = {};
  const modules: Record<string, string> = {};
  for (const m of ENGINE_MODULES) {
    const dir = await ensureModule(opts.repoRoot, m, goVersion, env, log);
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { modules: Record<string, string> };
    for (const b of m.builds) bins[b.bin as EngineBinary] = join(dir, 'bin', b.bin);
    Object.assign(modules, manifest.modules);
  }
  return { bins: bins as Record<EngineBinary, string>, modules };
}

function goVersionOrFail(env: NodeJS.ProcessEnv): string {
  const r = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env });
  if (r.error !== undefined || r.status !== 0) {
    throw new CliError(
      'Go is needed to build the engines (go env GOVERSION failed: ' +
        `${r.error?.message ?? r.stderr.trim()}); install Go 1.26 or later and put it on PATH`,
    );
  }
  const v = r.stdout.trim();
  const m = /^go1\.(\d+)/.exec(v);
  if (m === null || Number(m[1]) < 26) {
    throw new CliError(`go: got ${v}; expected Go 1.26 or later to build the engines (engines/*/go.mod)`);
  }
  return v;
}

/** The files of a module directory, sorted (the build's inputs besides the module cache, which go.sum pins). */
function moduleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export function moduleKey(repoRoot: string, m: EngineModule, goVersion: string): string {
  const dir = join(repoRoot, 'engines', m.dir);
  const h = createHash('sha256');
  h.update(`${goVersion}\0${process.platform}\0${process.arch}\0${JSON.stringify(m)}\0`);
  for (const f of moduleFiles(dir)) {
    h.update(`${relative(dir, f)}\0`);
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

async function ensureModule(
  repoRoot: string,
  m: EngineModule,
  goVersion: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<string> {
  const moduleDir = join(repoRoot, 'engines', m.dir);
  if (!existsSync(join(moduleDir, 'go.sum'))) {
    throw new CliError(`engines/${m.dir}/go.sum is missing: every engine module is pinned by its go.sum`);
  }
  const key = moduleKey(repoRoot, m, goVersion);
  const cacheRoot = enginesCacheDir(env);
  const final = join(cacheRoot, `${m.dir.replace(/\//g, '-')}-${key}`);
  if (existsSync(join(final, MANIFEST))) return final;
  mkdirSync(cacheRoot, { recursive: true });
  // Build into a private directory and rename it into place: a reader sees no build or a whole one.
  const staging = join(cacheRoot, `.${m.dir.replace(/\//g, '-')}-${key}.${process.pid}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'bin'), { recursive: true });
  const started = Date.now();
  const goEnv = { ...env, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=readonly`.trim(), GOTOOLCHAIN: 'local' };
  try {
    const modules: Record<string, string> = {};
    for (const mod of m.downloads ?? []) {
      const out = await run('go', ['mod', 'download', '-json', mod], moduleDir, goEnv, undefined);
      const info = JSON.parse(out) as { Dir?: string; Error?: string };
      if (info.Dir === undefined) throw new CliError(`go mod download ${mod}: ${info.Error ?? 'no directory'}`);
      modules[mod] = info.Dir;
    }
    if (m.builds.length > 0) {
      log(`engines: building ${m.title} from engines/${m.dir} (first run on this machine takes minutes)...`);
      const pkgs = m.builds.map((b) => b.pkg);
      await run('go', ['build', '-trimpath', '-o', join(staging, 'bin') + '/', ...pkgs], moduleDir, goEnv, (s) =>
        log(`engines: still building ${m.title} (${s} s)`),
      );
      for (const b of m.builds) {
        const built = join(staging, 'bin', b.bin);
        if (!existsSync(built)) {
          // go build names a binary after the last element of its package path; rename when that differs.
          const last =
            b.pkg
              .replace(/\/v\d+$/, '')
              .split('/')
              .pop() ?? b.pkg;
          renameSync(join(staging, 'bin', last), built);
        }
        if (!statSync(built).isFile()) throw new CliError(`go build ${b.pkg} produced no ${b.bin}`);
      }
    }
    writeFileSync(join(staging, MANIFEST), `${JSON.stringify({ module: m.dir, key, goVersion, modules }, null, 2)}\n`);
    try {
      renameSync(staging, final);
    } catch (err) {
      // Another process finished the same build first: theirs is identical.
      if (!existsSync(join(final, MANIFEST))) throw err;
      rmSync(staging, { recursive: true, force: true });
    }
    if (m.builds.length > 0) log(`engines: built ${m.title} in ${Math.round((Date.now() - started) / 1000)} s`);
    return final;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  heartbeat: ((seconds: number) => void) | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = Date.now();
    const timer =
      heartbeat === undefined
        ? undefined
        : setInterval(() => heartbeat(Math.round((Date.now() - started) / 1000)), 30_000);
    child.on('error', (err) => {
      if (timer !== undefined) clearInterval(timer);
      reject(new CliError(`${cmd} ${args.join(' ')}: ${err.message}`));
    });
    child.on('close', (code) => {
      if (timer !== undefined) clearInterval(timer);
      if (code === 0) resolve(stdout);
      else {
        const tail = stderr.trim().split('\n').slice(-5).join(' | ');
        reject(
          new CliError(
            `${cmd} ${args.slice(0, 2).join(' ')} in ${relative(process.cwd(), cwd) || '.'} failed: ${tail}`,
          ),
        );
      }
    });
  });
}
