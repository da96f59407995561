import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import * as vm from 'node:vm';
import type * as Main from '../main';
import { CliError } from '../util/errors';
import { userCacheRoot } from '../util/user-cache';

/** The CLI in one file, made by scripts/bundle-cli.js beside this module's build (cli/lib/bin). */
export const BUNDLE_FILE = 'platform-bundle.js';
/** The first line of a bundle: this, then its record (JSON). Kept in step with scripts/bundle-cli.js. */
const HEADER_PREFIX = '// platform-bundle ';
const FORMAT = 1;

interface BundleRecord {
  readonly format: number;
  /** Repository-relative path -> "mtimeMs size" of every workspace file bundled, and of node_modules/.package-lock.json. */
  readonly inputs: Readonly<Record<string, string>>;
}

/**
 * Whether the CLI runs its bundle: `PLATFORM_BUNDLE` unset or `1` runs it when fresh, `0` never (the unbundled modules,
 * as `tsc -b` built them: for debugging with their own files and lines).
 */
export function bundleWanted(env: NodeJS.ProcessEnv): boolean {
  const value = env.PLATFORM_BUNDLE;
  if (value === undefined || value === '' || value === '1') return true;
  if (value === '0') return false;
  throw new CliError(`PLATFORM_BUNDLE: got ${JSON.stringify(value)}; expected 0 (never run the bundle) or 1`, 2);
}

/** The bundle's record, or undefined when the first line is not one of this format. */
export function readRecord(source: string): BundleRecord | undefined {
  const eol = source.indexOf('\n');
  if (!source.startsWith(HEADER_PREFIX) || eol < 0) return undefined;
  try {
    const record = JSON.parse(source.slice(HEADER_PREFIX.length, eol)) as BundleRecord;
    return record.format === FORMAT && typeof record.inputs === 'object' && record.inputs !== null ? record : undefined;
  } catch {
    return undefined;
  }
}

/** The first input under `root` that is not as the bundle recorded it (changed, or gone), or undefined: fresh. */
export function changedInput(root: string, record: BundleRecord): string | undefined {
  for (const [path, recorded] of Object.entries(record.inputs)) {
    let now: string;
    try {
      const s = statSync(join(root, path));
      now = `${s.mtimeMs} ${s.size}`;
    } catch {
      return path;
    }
    if (now !== recorded) return path;
  }
  return undefined;
}

/** A checkout's code caches not written to for this long are removed when another checkout writes one. */
export const UNUSED_CHECKOUT_MS = 30 * 24 * 3600 * 1000;

/**
 * Where the V8 code cache of a bundle is kept: under `<user cache>/code-cache`, a folder per checkout (the bundle's
 * path: two checkouts never replace each other's), in it a file per bundle build, Node version and command (what a
 * run compiles depends on its command).
 */
export function codeCacheFile(env: NodeJS.ProcessEnv, bundle: string, argv: readonly string[]): string {
  const s = statSync(bundle);
  const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
  const checkout = hash(bundle);
  const build = hash(`${s.mtimeMs}\0${s.size}\0${process.version}\0${process.arch}`);
  const command = argv[0] ?? '';
  const name =
    argv.includes('--help') || argv.includes('-h') ? 'help' : /^[a-z][a-z-]{0,31}$/.test(command) ? command : 'other';
  return join(userCacheRoot(env), 'code-cache', checkout, `platform-${build}-${name}.v8`);
}

/**
 * Writes the code V8 has compiled for `script` so far, beside its final name then renamed. Then drops the caches of
 * this checkout's older builds, and the folders of checkouts unused for 30 days (deleted clones).
 */
export function keepCodeCache(script: vm.Script, file: string, now: number = Date.now()): void {
  const dir = dirname(file);
  const draft = `${file}.${process.pid}.draft`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(draft, script.createCachedData());
    renameSync(draft, file);
    const build = file.slice(dir.length + 1).split('-')[1];
    for (const other of readdirSync(dir)) {
      if (other.startsWith('platform-') && other.split('-')[1] !== build) rmSync(join(dir, other), { force: true });
    }
    const root = dirname(dir);
    for (const checkout of readdirSync(root)) {
      const path = join(root, checkout);
      if (path !== dir && now - statSync(path).mtimeMs > UNUSED_CHECKOUT_MS) {
        rmSync(path, { recursive: true, force: true });
      }
    }
  } catch {
    // a cache is only an optimisation: one that cannot be written is skipped
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * The CLI's `main` from its bundle (`binDir`/platform-bundle.js), or undefined when there is none, it is stale (a
 * bundled file or the installed packages changed since it was made) or `PLATFORM_BUNDLE=0`: then the caller loads the
 * unbundled modules. The bundle is compiled with the V8 code cache of earlier runs of the same command, and a run
 * that found none (or one V8 refused) leaves one at exit, unless NODE_DISABLE_COMPILE_CACHE is set.
 */
export function loadBundledMain(
  binDir: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  atExit: (keep: () => void) => void = (keep) => process.once('exit', keep),
): typeof Main | undefined {
  if (!bundleWanted(env)) return undefined;
  const file = join(binDir, BUNDLE_FILE);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const record = readRecord(source);
  if (record === undefined || changedInput(join(binDir, '..', '..', '..'), record) !== undefined) return undefined;

  const useCache = env.NODE_DISABLE_COMPILE_CACHE === undefined;
  const cacheFile = useCache ? codeCacheFile(env, file, argv) : undefined;
  let cachedData: Buffer | undefined;
  if (cacheFile !== undefined) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  // Node's own CommonJS wrapper (Module.wrap): the bundle runs as the module it is
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    atExit(() => keepCodeCache(script, cacheFile));
  }
  const module = { exports: {} as typeof Main, filename: file, id: file };
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: unknown,
    filename: string,
    dirname: string,
  ) => void;
  wrapper.call(module.exports, module.exports, nodeModule.createRequire(file), module, file, binDir);
  return module.exports;
}
