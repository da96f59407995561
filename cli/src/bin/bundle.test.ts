import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, type } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { BUNDLE_FILE, bundleWanted, changedInput, codeCacheFile, loadBundledMain, readRecord } from './bundle';
import { REPO_ROOT } from '../testing/git-fixture';
import { builtCli, runBuiltCli } from '../testing/run-cli';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script outside the workspaces
const { bundleCli } = require(join(REPO_ROOT, 'scripts', 'bundle-cli.js')) as {
  bundleCli(root: string): Promise<string>;
};

const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

describe('PLATFORM_BUNDLE', () => {
  it('runs the bundle unless it is 0, and names the variable, the value and what was expected otherwise', () => {
    expect([undefined, '', '1'].map((v) => bundleWanted({ PLATFORM_BUNDLE: v }))).toEqual([true, true, true]);
    expect(bundleWanted({ PLATFORM_BUNDLE: '0' })).toBe(false);
    expect(() => bundleWanted({ PLATFORM_BUNDLE: 'yes' })).toThrow(
      'PLATFORM_BUNDLE: got "yes"; expected 0 (never run the bundle) or 1',
    );
  });
});

describe('the record on the first line of a bundle', () => {
  it('is read only in its own format', () => {
    const record = { format: 1, inputs: { 'cli/lib/main.js': '1 2' } };
    expect(readRecord(`// platform-bundle ${JSON.stringify(record)}\ncode`)).toEqual(record);
    expect(readRecord(`// platform-bundle ${JSON.stringify({ ...record, format: 2 })}\ncode`)).toBeUndefined();
    expect(readRecord('// platform-bundle {not json\ncode')).toBeUndefined();
    expect(readRecord('"use strict";\ncode')).toBeUndefined();
    expect(readRecord(`// platform-bundle ${JSON.stringify(record)}`)).toBeUndefined(); // no code after it
  });

  it('is fresh while every input has its recorded mtime and size; an edit or a deletion names the input', () => {
    const root = join(dir, 'record');
    write(join(root, 'a.js'), 'a');
    write(join(root, 'b', 'c.js'), 'cc');
    const fp = (p: string) => `${statSync(join(root, p)).mtimeMs} ${statSync(join(root, p)).size}`;
    const record = { format: 1, inputs: { 'a.js': fp('a.js'), 'b/c.js': fp('b/c.js') } };
    expect(changedInput(root, record)).toBeUndefined();
    const old = statSync(join(root, 'b', 'c.js'));
    writeFileSync(join(root, 'b', 'c.js'), 'dd'); // same size
    utimesSync(join(root, 'b', 'c.js'), old.atime, new Date(old.mtimeMs + 1000));
    expect(changedInput(root, record)).toBe('b/c.js');
    rmSync(join(root, 'a.js'));
    expect(changedInput(root, record)).toBe('a.js');
  });
});

describe('scripts/bundle-cli.js and the loader', () => {
  /**
   * A throw-away repository laid out as this one (cli/lib/main.js loading a cdk8s/lib module two folders down), with
   * this repository's node_modules (esbuild, .package-lock.json): its CLI is bundled for real and loaded.
   */
  const root = join(dir, 'repo');
  const binDir = join(root, 'cli', 'lib', 'bin');
  const cacheHome = join(dir, 'cache');
  const env = { XDG_CACHE_HOME: cacheHome };
  type Fake = {
    main(argv: readonly string[]): Promise<number>;
    where: Record<string, string>;
    osType(): Promise<string>;
  };
  const load = (keep: (() => void)[] = []) =>
    loadBundledMain(binDir, ['synth'], env, (k) => keep.push(k)) as unknown as Fake | undefined;

  beforeAll(async () => {
    write(
      join(root, 'cli', 'lib', 'main.js'),
      `const deep = require('../../cdk8s/lib/charts/deep.js');\n` +
        `exports.main = async (argv) => argv.length;\n` +
        `exports.osType = () => require('./esm-user.js').osType();\n` +
        `exports.where = { mainDir: __dirname, mainFile: __filename, deepDir: deep.dir, deepFile: deep.file };\n`,
    );
    write(join(root, 'cdk8s', 'lib', 'charts', 'deep.js'), 'exports.dir = __dirname;\nexports.file = __filename;\n');
    write(join(root, 'cli', 'lib', 'util', 'esm-import.js'), 'exports.importEsm = (s) => import(s);\n');
    write(
      join(root, 'cli', 'lib', 'esm-user.js'),
      `const { importEsm } = require('./util/esm-import');\nexports.osType = async () => (await importEsm('node:os')).type();\n`,
    );
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
    await expect(bundleCli(root)).resolves.toBe(join(binDir, BUNDLE_FILE));
  });

  it('gives every bundled module its own __dirname and __filename, as unbundled', async () => {
    const cli = load();
    expect(cli).toBeDefined();
    expect(cli!.where).toEqual({
      mainDir: join(root, 'cli', 'lib'),
      mainFile: join(root, 'cli', 'lib', 'main.js'),
      deepDir: join(root, 'cdk8s', 'lib', 'charts'),
      deepFile: join(root, 'cdk8s', 'lib', 'charts', 'deep.js'),
    });
    await expect(cli!.main(['a', 'b'])).resolves.toBe(2);
  });

  it('removes the drafts of bundlers that died before renaming theirs, and only those', async () => {
    const dead = join(binDir, `${BUNDLE_FILE}.999999999.draft`); // no such pid
    const live = join(binDir, `${BUNDLE_FILE}.${process.ppid}.draft`); // a live process: a bundler at work
    writeFileSync(dead, 'half a bundle');
    writeFileSync(live, 'half a bundle');
    await bundleCli(root);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    rmSync(live);
  });

  it('records the bundled workspace files and the installed packages on the first line', () => {
    const record = readRecord(readFileSync(join(binDir, BUNDLE_FILE), 'utf8'));
    expect(Object.keys(record!.inputs).sort()).toEqual([
      'cdk8s/lib/charts/deep.js',
      'cli/lib/esm-user.js',
      'cli/lib/main.js',
      'node_modules/.package-lock.json',
    ]);
  });

  it('leaves cli/lib/util/esm-import.js out, required from beside the bundle: import() works, without a warning', () => {
    expect(readFileSync(join(binDir, BUNDLE_FILE), 'utf8')).toContain('require("./../util/esm-import.js")');
    // in a process of its own: jest cannot run an import()
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `require(process.argv[1]).loadBundledMain(process.argv[2], ['status'], { NODE_DISABLE_COMPILE_CACHE: '1' })
           .osType().then((t) => process.stdout.write(t));`,
        join(builtCli(), '..', 'bundle.js'),
        binDir,
      ],
      { encoding: 'utf8' },
    );
    expect({ status: r.status, out: r.stdout, err: r.stderr }).toEqual({ status: 0, out: type(), err: '' });
  });

  it('keeps the code cache of a run that found none, uses it next time, and replaces one V8 refuses', () => {
    // each run in a process of its own, as the CLI's are: V8 compiles a source once per process
    const run = () =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            '-e',
            `const keep = [];
             const cli = require(process.argv[1]).loadBundledMain(process.argv[2], ['synth'], { XDG_CACHE_HOME: process.argv[3] }, (k) => keep.push(k));
             for (const k of keep) k();
             process.stdout.write(JSON.stringify({ mainDir: cli && cli.where.mainDir, wrote: keep.length }));`,
            join(builtCli(), '..', 'bundle.js'),
            binDir,
            cacheHome,
          ],
          { encoding: 'utf8' },
        ),
      ) as { mainDir: string | undefined; wrote: number };
    const cacheFile = codeCacheFile(env, join(binDir, BUNDLE_FILE), ['synth']);
    rmSync(join(cacheHome, 'metrics-platform', 'code-cache'), { recursive: true, force: true });
    const mainDir = join(root, 'cli', 'lib');
    expect(run()).toEqual({ mainDir, wrote: 1 }); // none yet: written at exit
    expect(readFileSync(cacheFile).length).toBeGreaterThan(0);
    expect(run()).toEqual({ mainDir, wrote: 0 }); // accepted: nothing to write
    writeFileSync(cacheFile, 'not a code cache');
    expect(run()).toEqual({ mainDir, wrote: 1 }); // refused: replaced
    expect(readFileSync(cacheFile).equals(Buffer.from('not a code cache'))).toBe(false);
    expect(run()).toEqual({ mainDir, wrote: 0 });
  });

  it('drops the code caches of older bundles when it writes one, and keeps none with NODE_DISABLE_COMPILE_CACHE', () => {
    const current = codeCacheFile(env, join(binDir, BUNDLE_FILE), ['synth']);
    const checkoutDir = dirname(current);
    const codeCache = dirname(checkoutDir);
    write(join(checkoutDir, 'platform-0123456789abcdef-synth.v8'), 'an older bundle of this checkout');
    // other checkouts: one in use (its folder written to 29 days ago), one deleted (31 days ago)
    const day = 24 * 3600 * 1000;
    for (const [name, age] of [
      ['aaaaaaaaaaaaaaaa', 29 * day],
      ['bbbbbbbbbbbbbbbb', 31 * day],
    ] as const) {
      write(join(codeCache, name, 'platform-0123456789abcdef-synth.v8'), 'another checkout');
      const when = new Date(Date.now() - age);
      utimesSync(join(codeCache, name), when, when);
    }
    rmSync(current, { force: true });
    const keep: (() => void)[] = [];
    load(keep);
    keep[0]!();
    expect(readdirSync(checkoutDir)).toEqual([basename(current)]);
    expect(readdirSync(codeCache).sort()).toEqual(['aaaaaaaaaaaaaaaa', basename(checkoutDir)].sort());
    expect(readdirSync(join(codeCache, 'aaaaaaaaaaaaaaaa'))).toHaveLength(1);

    const none: (() => void)[] = [];
    rmSync(codeCache, { recursive: true });
    expect(
      loadBundledMain(binDir, ['synth'], { ...env, NODE_DISABLE_COMPILE_CACHE: '1' }, (k) => none.push(k)),
    ).toBeDefined();
    expect(none).toHaveLength(0);
  });

  it('keeps a code cache per checkout: another checkout of the same build never replaces this one', () => {
    const bundle = join(binDir, BUNDLE_FILE);
    const other = join(dir, 'other-checkout', 'cli', 'lib', 'bin', BUNDLE_FILE);
    write(other, readFileSync(bundle, 'utf8'));
    const when = new Date(Date.UTC(2026, 0, 1));
    for (const b of [bundle, other]) utimesSync(b, when, when); // the same build (mtime, size) at another path
    expect(dirname(codeCacheFile(env, other, ['synth']))).not.toBe(dirname(codeCacheFile(env, bundle, ['synth'])));
    expect(basename(codeCacheFile(env, other, ['synth']))).toBe(basename(codeCacheFile(env, bundle, ['synth'])));
  });

  it('is made without node_modules/.package-lock.json (another package manager), and then never used', async () => {
    const bare = join(dir, 'no-lockfile');
    write(join(bare, 'cli', 'lib', 'main.js'), 'exports.main = async () => 0;\n');
    mkdirSync(join(bare, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules', 'esbuild'), join(bare, 'node_modules', 'esbuild'));
    await bundleCli(bare);
    const bundle = readFileSync(join(bare, 'cli', 'lib', 'bin', BUNDLE_FILE), 'utf8');
    expect(readRecord(bundle)!.inputs['node_modules/.package-lock.json']).toBe('missing');
    expect(loadBundledMain(join(bare, 'cli', 'lib', 'bin'), ['synth'], env)).toBeUndefined();
  });

  it('is not used once a bundled file changed, nor with PLATFORM_BUNDLE=0, nor when missing', () => {
    expect(loadBundledMain(binDir, ['synth'], { ...env, PLATFORM_BUNDLE: '0' })).toBeUndefined();
    const deep = join(root, 'cdk8s', 'lib', 'charts', 'deep.js');
    writeFileSync(deep, readFileSync(deep, 'utf8') + '// edited, as by tsc -b\n');
    expect(load()).toBeUndefined();
    rmSync(join(binDir, BUNDLE_FILE));
    expect(load()).toBeUndefined();
  });
});

describe('the built CLI', () => {
  it('runs from its bundle with a code cache per command, and as without it', async () => {
    const bundle = join(builtCli(), '..', BUNDLE_FILE);
    const record = existsSync(bundle) ? readRecord(readFileSync(bundle, 'utf8')) : undefined;
    const stale = record === undefined ? BUNDLE_FILE : changedInput(REPO_ROOT, record);
    expect({ stale }).toEqual({ stale: undefined }); // `npm test` builds it first; `npm run build` otherwise
    const home = join(dir, 'built-cli');
    const run = (extra: NodeJS.ProcessEnv) =>
      runBuiltCli(['status', '--no-such-flag'], { env: { PATH: process.env.PATH, HOME: home, ...extra } });
    const bundled = await run({});
    expect(bundled.code).toBe(2);
    expect(bundled.err).toMatch(/^platform status: .*--no-such-flag/);
    const codeCache = join(home, '.cache', 'metrics-platform', 'code-cache');
    const checkouts = readdirSync(codeCache);
    expect(checkouts).toEqual([expect.stringMatching(/^[0-9a-f]{16}$/)]);
    expect(readdirSync(join(codeCache, checkouts[0]!))).toEqual([
      expect.stringMatching(/^platform-[0-9a-f]{16}-status\.v8$/),
    ]);
    expect(await run({ PLATFORM_BUNDLE: '0', NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual(bundled);
    const bad = await run({ PLATFORM_BUNDLE: 'yes' });
    expect(bad).toEqual({
      code: 2,
      out: '',
      err: 'platform: PLATFORM_BUNDLE: got "yes"; expected 0 (never run the bundle) or 1\n',
    });
  });
});
