import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/git-fixture';

/**
 * scripts/build-if-stale.js on a throw-away repository whose `tsc` records each call and writes the build info files
 * (or fails when told to), and whose scripts/bundle-cli.js records each call and writes the CLI's bundle (or fails
 * when told to): it must build, then bundle, whenever an input changed, and only then. Most runs call the script's
 * function in-process with that same `tsc` loaded in-process too; `runScript` runs it as `npm run synth` does (a
 * node process spawning node tsc), for the first build, a failing build and a usage error.
 */
const SCRIPT = join(REPO_ROOT, 'scripts', 'build-if-stale.js');
/** The fake tsc: a module whose `tsc` function the in-process runs call, and a script when node runs it. */
const FAKE_TSC = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
function tsc(root, args, stderr) {
  fs.appendFileSync(path.join(root, 'tsc-calls'), args.join(' ') + '\\n');
  if (fs.existsSync(path.join(root, 'FAIL'))) { stderr('error TS2322: broken\\n'); return 2; }
  for (const p of ['app', 'cdk8s', 'cli']) {
    fs.mkdirSync(path.join(root, p, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(root, p, 'lib', '.tsbuildinfo'), String(Date.now()));
  }
  return 0;
}
module.exports = { tsc };
if (require.main === module) process.exitCode = tsc(process.cwd(), process.argv.slice(2), (t) => process.stderr.write(t));
`;

/** The fake bundler: a module whose `bundle` function the in-process runs call, and a script when node runs it. */
const FAKE_BUNDLER = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
function bundle(root, stderr) {
  fs.appendFileSync(path.join(root, 'bundle-calls'), 'bundle\\n');
  if (fs.existsSync(path.join(root, 'FAIL_BUNDLE'))) { stderr('bundle-cli: broken\\n'); return 1; }
  fs.mkdirSync(path.join(root, 'cli', 'lib', 'bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'cli', 'lib', 'bin', 'platform-bundle.js'), String(Date.now()));
  return 0;
}
module.exports = { bundle };
if (require.main === module) process.exitCode = bundle(process.argv[2], (t) => process.stderr.write(t));
`;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script outside the workspaces
const { buildIfStale } = require(SCRIPT) as {
  buildIfStale(
    argv: string[],
    io: {
      stderr(text: string): void;
      runTsc(root: string, tsc: string, args: string[]): { status: number | null; error?: Error };
      runBundle(root: string, bundler: string): { status: number | null; error?: Error };
    },
  ): number;
};

let root: string;

function write(rel: string, text: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** The script as a process, as `npm run synth` runs it (its tsc a child process too). */
function runScript(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, '--root', root, ...args], { encoding: 'utf8', timeout: 20_000 });
}

/** The script's function in-process, running the repository's (fake) tsc in-process: exit status and stderr. */
function run(...args: string[]): { status: number; stderr: string } {
  let stderr = '';
  const write = (text: string) => void (stderr += text);
  const status = buildIfStale(['--root', root, ...args], {
    stderr: write,
    runTsc: (cwd, tsc, tscArgs) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the fake tsc at the path the script chose
      const fake = require(tsc) as { tsc(root: string, args: string[], stderr: (t: string) => void): number };
      return { status: fake.tsc(cwd, tscArgs, write) };
    },
    runBundle: (cwd, bundler) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the fake bundler at the path the script chose
      const fake = require(bundler) as { bundle(root: string, stderr: (t: string) => void): number };
      return { status: fake.bundle(cwd, write) };
    },
  });
  return { status, stderr };
}

/** How many times tsc ran. */
function builds(): number {
  const log = join(root, 'tsc-calls');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** How many times the bundler ran. */
function bundles(): number {
  const log = join(root, 'bundle-calls');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** Runs the script, expecting it to succeed; returns whether it built. */
function runBuilt(): boolean {
  const before = builds();
  const res = run();
  expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  return builds() > before;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'build-if-stale-'));
  write('package.json', '{"name":"fake","workspaces":["app","cdk8s","cli"]}\n');
  write('tsconfig.base.json', '{}\n');
  write('node_modules/.package-lock.json', '{}\n');
  write('node_modules/typescript/bin/tsc', FAKE_TSC);
  write('scripts/bundle-cli.js', FAKE_BUNDLER);
  for (const p of ['app', 'cdk8s', 'cli']) {
    write(`${p}/package.json`, `{"name":"${p}"}\n`);
    write(`${p}/tsconfig.json`, '{"compilerOptions":{"tsBuildInfoFile":"lib/.tsbuildinfo"}}\n');
    write(`${p}/src/index.ts`, 'export const a = 1;\n');
    write(`${p}/src/nested/deep.ts`, 'export const b = 2;\n');
  }
  // nothing recorded yet: the first build, as a process
  const first = runScript();
  expect({ status: first.status, stderr: first.stderr }).toEqual({
    status: 0,
    stderr: 'build-if-stale: no record of a previous build: tsc -b app cdk8s cli, then bundle the CLI\n',
  });
  expect([builds(), bundles()]).toEqual([1, 1]);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Each test starts from a recorded, successful build (whatever the test before it left). */
let start: number;
beforeEach(() => {
  run();
  start = builds();
});

describe('build-if-stale', () => {
  it('runs tsc -b over the three workspaces, then the bundler, then neither again while nothing changed', () => {
    expect(readFileSync(join(root, 'tsc-calls'), 'utf8').split('\n')[0]).toBe('-b app cdk8s cli');
    const bundled = bundles();
    expect(bundled).toBe(builds());
    expect(runBuilt()).toBe(false);
    expect(runBuilt()).toBe(false);
    expect([builds(), bundles()]).toEqual([start, bundled]);
  });

  it('builds after a source is edited (and says why), once', () => {
    write('cli/src/nested/deep.ts', 'export const b = 3;\n');
    const res = run();
    expect(res.status).toBe(0);
    expect(res.stderr).toContain('build-if-stale: sources changed: tsc -b app cdk8s cli');
    expect(builds()).toBe(start + 1);
    expect(runBuilt()).toBe(false);
  });

  it('builds after a file is added, deleted or renamed', () => {
    write('app/src/new.ts', 'export {};\n');
    expect(runBuilt()).toBe(true);
    rmSync(join(root, 'app/src/new.ts'));
    expect(runBuilt()).toBe(true);
    renameSync(join(root, 'cdk8s/src/index.ts'), join(root, 'cdk8s/src/main.ts'));
    expect(runBuilt()).toBe(true);
    expect(runBuilt()).toBe(false);
  });

  it('builds after a file is restored with its old modification time', () => {
    const file = join(root, 'app/src/index.ts');
    const { atime, mtime } = statSync(file);
    writeFileSync(file, 'export const a = 9;\n');
    utimesSync(file, atime, mtime);
    expect(runBuilt()).toBe(true);
  });

  it('builds after the root or a workspace tsconfig or package.json, or the installed packages, change', () => {
    for (const file of [
      'tsconfig.base.json',
      'package.json',
      'node_modules/.package-lock.json',
      'cli/tsconfig.json',
      'cdk8s/package.json',
    ]) {
      write(file, readFileSync(join(root, file), 'utf8') + '\n');
      expect({ file, built: runBuilt() }).toEqual({ file, built: true });
    }
    expect(runBuilt()).toBe(false);
  });

  it('builds when a build output is missing or was rebuilt by something else', () => {
    rmSync(join(root, 'cli/lib'), { recursive: true });
    expect(runBuilt()).toBe(true);
    writeFileSync(join(root, 'app/lib/.tsbuildinfo'), 'rebuilt by plain tsc -b');
    expect(runBuilt()).toBe(true);
    expect(runBuilt()).toBe(false);
  });

  it('builds and bundles when the bundle is missing or was replaced', () => {
    const bundled = bundles();
    rmSync(join(root, 'cli/lib/bin/platform-bundle.js'));
    expect(run().stderr).toContain('build-if-stale: build output missing: tsc -b app cdk8s cli, then bundle the CLI');
    expect([builds(), bundles()]).toEqual([start + 1, bundled + 1]);
    writeFileSync(join(root, 'cli/lib/bin/platform-bundle.js'), 'bundled by hand');
    expect(runBuilt()).toBe(true);
    expect(bundles()).toBe(bundled + 2);
    expect(runBuilt()).toBe(false);
  });

  it('fails with the bundler when bundling fails, and builds again next time', () => {
    const bundled = bundles();
    write('cli/src/index.ts', 'export const a = 2;\n');
    write('FAIL_BUNDLE', '');
    const failed = runScript();
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('bundle-cli: broken');
    expect([builds(), bundles()]).toEqual([start + 1, bundled + 1]);
    rmSync(join(root, 'FAIL_BUNDLE'));
    expect(runBuilt()).toBe(true);
    expect(bundles()).toBe(bundled + 2);
    expect(runBuilt()).toBe(false);
  });

  it('fails with tsc when the build fails, and builds again next time', () => {
    const bundled = bundles();
    write('app/src/index.ts', 'export const a: number = "x";\n');
    write('FAIL', '');
    const failed = runScript(); // tsc's exit status and output come through the script's process
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain('error TS2322');
    const again = run();
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('error TS2322');
    expect(builds()).toBe(start + 2);
    expect(bundles()).toBe(bundled); // never after a failed tsc
    rmSync(join(root, 'FAIL'));
    expect(runBuilt()).toBe(true);
    expect(runBuilt()).toBe(false);
  });

  it('--force builds although nothing changed', () => {
    expect(run('--force').status).toBe(0);
    expect(builds()).toBe(start + 1);
  });

  it('rejects an unknown argument in one line naming it', () => {
    const res = runScript('--rot', '/x');
    expect(res.status).toBe(2);
    expect(res.stderr.split('\n')[0]).toBe('build-if-stale: unknown argument "--rot"; expected --root DIR or --force');
    expect(builds()).toBe(start);
  });

  it('rejects --root without a directory in one line', () => {
    const res = run('--root');
    expect(res.status).toBe(2);
    expect(res.stderr.split('\n')[0]).toBe('build-if-stale: --root: got nothing; expected a directory');
    expect(builds()).toBe(start);
  });
});
