import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../testing/git-fixture';

/**
 * `npx platform …` as the README documents it, in a fresh checkout: `npm ci`, then `npm run build`. The npx calls
 * see a registry on a closed 127.0.0.1 port, so a lookup outside the workspace (the unrelated public package
 * `platform`) fails the test instead of going unnoticed.
 */
const NO_REGISTRY = 'http://127.0.0.1:9/';
let dir: string;

/** The files a clone of this checkout would have: tracked and not-ignored ones, as they are in the working tree. */
function freshCheckout(into: string): void {
  const res = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  for (const file of res.stdout.split('\0').filter(Boolean)) {
    const from = join(REPO_ROOT, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree, or a submodule
    mkdirSync(dirname(join(into, file)), { recursive: true });
    copyFileSync(from, join(into, file));
  }
}

function npm(args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync('npm', args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', ...env },
  });
}

const npx = (...args: string[]) =>
  spawnSync('npx', args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, npm_config_registry: NO_REGISTRY, npm_config_yes: 'false' },
  });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'npx-platform-'));
  freshCheckout(dir);
  // the cache this machine's own `npm ci` filled; the network only for what it lacks
  const ci = npm(['ci', '--prefer-offline', '--no-audit', '--ignore-scripts']);
  if (ci.status !== 0) throw new Error(`npm ci failed in ${dir}: ${ci.stderr}`);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npx platform from a fresh checkout', () => {
  it('says to build first before npm run build, without asking a registry', () => {
    const res = npx('platform', '--help');
    expect(res.stderr).not.toContain('127.0.0.1:9');
    expect(res.stderr.trim()).toMatch(/^platform: the CLI is not built \(.*\); run npm run build first$/);
    expect(res.status).toBe(1);
  });

  it('runs the workspace CLI after npm run build', () => {
    const build = npm(['run', 'build']);
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const help = npx('platform', '--help');
    expect(help.stdout).toMatch(/^usage: platform <command> \[flags\]$/m);
    expect(help.stdout).toMatch(/^ {2}promote +copy the exact image/m);
    expect(help.status).toBe(0);
    const check = npx('platform', 'synth', '--check');
    expect(check.stdout).toMatch(/^synth --check: .* match the sources$/m);
    expect(check.status).toBe(0);
  }, 180_000);
});
