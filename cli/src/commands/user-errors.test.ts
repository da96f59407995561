import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, useGitFixture } from '../testing/git-fixture';
import { runBuiltCli, runCli } from '../testing/run-cli';

/**
 * Mistakes in the user's input, as people run the CLI: each is one line naming the input, exit 1 (bad content) or 2
 * (bad flag), never `internal error` with a stack trace (exit 70). Two cases run the built CLI end to end; the others
 * run `main` in-process from the checkout (an error that is no user error propagates out of `main`: the test fails).
 */
const fx = useGitFixture();

/** `platform ARGS` in-process (`main`, as the binary runs it) with `cwd` as working directory. */
async function platform(cwd: string, ...args: string[]) {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const r = await runCli(args);
    return { ...r, lines: r.err.split('\n').filter(Boolean) };
  } finally {
    process.chdir(previous);
  }
}

/** `platform ARGS` as a child process of the built CLI. */
async function platformBinary(cwd: string, ...args: string[]) {
  const r = await runBuiltCli(args, { cwd, env: { ...process.env }, timeoutMs: 30_000 });
  return { ...r, lines: r.err.split('\n').filter(Boolean) };
}

function expectOneLine(r: { code: number | null; err: string; lines: string[] }, command: string, code: number) {
  expect(r.err).not.toContain('internal error');
  expect(r.lines).toHaveLength(1);
  expect(r.lines[0]).toMatch(new RegExp(`^platform ${command}: `));
  expect(r.code).toBe(code);
}

/** Rewrites a file of a checkout with `edit`. */
function edit(dir: string, file: string, change: (text: string) => string): void {
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
}

/** Commits `change` to environments/<env>.yaml on the clone's local env/<env> (dist/<env> left as it was). */
function commitOnEnvBranch(c: string, env: string, change: (text: string) => string): void {
  git(c, 'switch', '--quiet', `env/${env}`);
  edit(c, `environments/${env}.yaml`, change);
  git(c, 'commit', '--quiet', '-am', `break the pin of ${env}`);
  git(c, 'switch', '--quiet', 'main');
}

const DIGEST = `sha256:${'d'.repeat(64)}`;

describe('user errors are one line with exit 1 or 2', () => {
  it('platform diff on an invalid environment file', async () => {
    const c = fx.clone('invalid-env');
    edit(c, 'environments/staging.yaml', (t) => t.replace(/^ {2}replicas: \d+$/m, '  replicas: 0'));
    const r = await platformBinary(c, 'diff', '--env', 'staging');
    expectOneLine(r, 'diff', 1);
    expect(r.lines[0]).toContain('environments/staging.yaml: app.replicas: got 0; expected a number of at least 1');
  });

  it('addons: {} in an environment file', async () => {
    const c = fx.clone('no-addons');
    edit(c, 'environments/dev.yaml', (t) => t.replace(/^addons:\n( {2}.*\n)+/m, 'addons: {}\n'));
    const r = await platform(c, 'diff', '--env', 'dev');
    expectOneLine(r, 'diff', 1);
    expect(r.lines[0]).toContain(
      'environments/dev.yaml: addons.vpc-cni: got nothing; expected an EKS add-on version such as v1.19.2-eksbuild.1',
    );
  });

  it('an unknown add-on name in an environment file', async () => {
    const c = fx.clone('unknown-addon');
    edit(c, 'environments/dev.yaml', (t) => t.replace(/^addons:\n/m, 'addons:\n  metrics-server: v0.7.2-eksbuild.1\n'));
    const r = await platform(c, 'synth', '--root', c, '--env', 'dev');
    expectOneLine(r, 'synth', 1);
    expect(r.lines[0]).toContain(
      'environments/dev.yaml: addons: unknown field(s) metrics-server; expected only the add-ons ClusterAddons manages: vpc-cni, coredns,',
    );
  });

  it('bump on a branch whose pin is missing', async () => {
    const c = fx.clone('bump-missing-pin');
    commitOnEnvBranch(c, 'dev', (t) => t.replace(/^ {4}digest: .*\n/m, ''));
    const r = await platform(c, 'bump', '--env', 'dev', '--tag', '9.9.9', '--digest', DIGEST);
    expectOneLine(r, 'bump', 1);
    expect(r.lines[0]).toMatch(
      /^platform bump: environments\/dev\.yaml on env\/dev \([0-9a-f]{12}\): app\.image\.digest: got nothing; expected sha256: followed by 64 lower-case hex digits$/,
    );
    expect(git(c, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('promote from a branch whose pin is partial', async () => {
    const c = fx.clone('promote-partial-pin');
    commitOnEnvBranch(c, 'staging', (t) => t.replace(/^ {4}tag: .*\n/m, ''));
    const r = await platformBinary(c, 'promote', '--from', 'staging', '--to', 'prod');
    expectOneLine(r, 'promote', 1);
    expect(r.lines[0]).toMatch(
      /^platform promote: environments\/staging\.yaml \(at [0-9a-f]{12}\): app\.image\.tag: got nothing; expected an OCI tag such as 1\.4\.2$/,
    );
  });

  it('synth --out pointing at a file, or where nothing can be written, fails at once', async () => {
    const c = fx.clone('synth-out');
    const file = await platform(c, 'synth', '--out', 'environments/dev.yaml');
    expectOneLine(file, 'synth', 2);
    expect(file.lines[0]).toMatch(
      /--out: got "environments\/dev\.yaml"; expected a directory .*dev\.yaml is a file\)$/,
    );
    const started = Date.now();
    const proc = await platform(c, 'synth', '--out', '/proc/nope');
    expectOneLine(proc, 'synth', 2);
    expect(proc.lines[0]).toMatch(
      /--out: got "\/proc\/nope"; expected a directory .*cannot create a directory in \/proc/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(git(c, 'status', '--porcelain')).toBe('');
  });
});
