import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvironment } from '@metrics-platform/cdk8s/lib/render';
import { bumpCommand } from './bump';
import { DIGEST_A, DIGEST_B, IDENTITY, commandIn, git, showAll, useGitFixture } from '../testing/git-fixture';
import { builtCli, captureOutputOfEachTest, runBuiltCli } from '../testing/run-cli';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const fx = useGitFixture();
const output = captureOutputOfEachTest();
const bumpIn = commandIn(bumpCommand);

const OLD_DIGEST = 'sha256:a8270ac41a22788ed42903690ca3696eecc8f8028a28de0611fc92f5e860fa0d';

/** A commit changes only the env file and dist/<env>, and every changed line carries the old or new pin. */
function expectOnlyPinChanges(
  from: string,
  to: string,
  env: string,
  old: { tag: string; digest: string },
  pin: { tag: string; digest: string },
  repo: string = fx.origin,
) {
  // one git process: the raw lines (":<modes> <objects> <status>\t<path>", one per changed file), then the patch
  const output = git(repo, 'diff', '--patch-with-raw', '-U0', from, to).split('\n');
  const files = output.filter((l) => l.startsWith(':')).map((l) => l.slice(l.indexOf('\t') + 1));
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    expect(file === `environments/${env}.yaml` || file.startsWith(`dist/${env}/`)).toBe(true);
  }
  const lines = output.filter((l) => l !== '' && !l.startsWith(':'));
  const removed = lines.filter((l) => /^-(?!--)/.test(l));
  const added = lines.filter((l) => /^\+(?!\+\+)/.test(l));
  expect(removed.length).toBeGreaterThanOrEqual(3);
  expect(added).toHaveLength(removed.length);
  for (const l of removed) expect(l.includes(old.tag) || l.includes(old.digest)).toBe(true);
  for (const l of added) expect(l.includes(pin.tag) || l.includes(pin.digest)).toBe(true);
}

/**
 * Everything that must stay as it was after a refused command: HEAD (the commit and the branch, in the `# branch.*`
 * lines of `status --porcelain=v2 --branch`), the uncommitted changes, every ref and the worktrees.
 */
function snapshot(dir: string) {
  return {
    status: git(dir, 'status', '--porcelain=v2', '--branch'),
    branches: git(dir, 'for-each-ref', '--format=%(refname) %(objectname)'),
    worktrees: git(dir, 'worktree', 'list'),
  };
}

describe('platform bump', () => {
  it('lands one commit on env/dev touching only the pin and its rendered lines, with trailers', async () => {
    const c = fx.clone('one');
    const before = git(c, 'rev-parse', 'origin/env/dev');
    await expect(
      bumpIn(c, '--env', 'dev', '--tag', '1.1.0', '--digest', DIGEST_A, '--source-commit', SHA, '--push', 'origin'),
    ).resolves.toBe(0);

    const tip = git(fx.origin, 'rev-parse', 'env/dev');
    expect(git(fx.origin, 'rev-list', '--count', `${before}..${tip}`)).toBe('1');
    expect(git(fx.origin, 'rev-parse', `${tip}^`)).toBe(before);
    expectOnlyPinChanges(before, tip, 'dev', { tag: '1.0.0', digest: OLD_DIGEST }, { tag: '1.1.0', digest: DIGEST_A });
    expect(git(fx.origin, 'diff', '-U0', before, tip, '--', 'environments/dev.yaml')).toMatch(
      new RegExp(
        `-    tag: "1\\.0\\.0"\n-    digest: ${OLD_DIGEST}\n\\+    tag: "1\\.1\\.0"\n\\+    digest: ${DIGEST_A}$`,
      ),
    );
    expect(git(fx.origin, 'show', `${tip}:dist/dev/metrics-app.yaml`)).toContain(
      `image: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/metrics-app:1.1.0@${DIGEST_A}`,
    );
    const trailers = git(fx.origin, 'log', '-1', '--format=%(trailers:only,unfold)', tip);
    expect(trailers.split('\n')).toEqual([`Source-Commit: ${SHA}`, `Image-Digest: ${DIGEST_A}`]);
    expect(git(fx.origin, 'log', '-1', '--format=%s', tip)).toBe('bump(dev): 1.1.0');
    // the caller's checkout (main) is untouched; its local env/dev follows the pushed tip
    expect(git(c, 'status', '--porcelain')).toBe('');
    expect(git(c, 'rev-parse', 'env/dev')).toBe(tip);
    expect(git(c, 'worktree', 'list').split('\n')).toHaveLength(1);
    expect(output.out).toContain('origin/env/dev: 1.0.0 -> 1.1.0');
  });

  it('makes no commit for a bump to the pin the branch already runs, and says so', async () => {
    const c = fx.clone('noop');
    const tip = git(fx.origin, 'rev-parse', 'env/dev');
    const tag = git(c, 'show', 'origin/env/dev:environments/dev.yaml').match(/tag: "([^"]+)"/)![1]!;
    const digest = git(c, 'show', 'origin/env/dev:environments/dev.yaml').match(/digest: (sha256:[a-f0-9]+)/)![1]!;
    await expect(bumpIn(c, '--env', 'dev', '--tag', tag, '--digest', digest, '--push', 'origin')).resolves.toBe(0);
    expect(git(fx.origin, 'rev-parse', 'env/dev')).toBe(tip);
    expect(output.out).toMatch(/already runs .*nothing to commit/);
  });

  it('commits on the local branch without --push, and fast-forwards it where it is checked out', async () => {
    const c = fx.clone('local');
    git(c, 'switch', '--quiet', 'env/staging');
    const before = git(c, 'rev-parse', 'HEAD');
    await expect(
      bumpIn(c, '--env', 'staging', '--tag', '2.0.0', '--digest', DIGEST_B, '--source-commit', SHA),
    ).resolves.toBe(0);
    expect(git(c, 'rev-parse', 'HEAD^')).toBe(before);
    expect(git(c, 'status', '--porcelain')).toBe('');
    expect(git(c, 'show', 'HEAD:environments/staging.yaml')).toContain(`digest: ${DIGEST_B}`);
    expect(git(fx.origin, 'rev-parse', 'env/staging')).toBe(git(c, 'rev-parse', 'origin/env/staging'));
  });

  it('in a fresh clone (only origin/env/*), bases the commit on origin/env/E and creates the local branch', async () => {
    // what staging runs differs from main's pin: the commit must be based on staging's branch, never on main
    const other = fx.clone('staging-moves');
    await bumpIn(other, '--env', 'staging', '--tag', '5.0.0', '--digest', DIGEST_A, '--push', 'origin');
    const c = fx.freshClone('fresh-bump');
    const stagingTip = git(c, 'rev-parse', 'origin/env/staging');
    expect(git(c, 'branch', '--list', 'env/*')).toBe('');

    await expect(bumpIn(c, '--env', 'staging', '--tag', '5.0.1', '--digest', DIGEST_B)).resolves.toBe(0);
    const tip = git(c, 'rev-parse', 'env/staging');
    expect(git(c, 'rev-parse', `${tip}^`)).toBe(stagingTip);
    expect(git(c, 'rev-parse', '--abbrev-ref', 'env/staging@{upstream}')).toBe('origin/env/staging');
    expectOnlyPinChanges(
      `${tip}^`,
      tip,
      'staging',
      { tag: '5.0.0', digest: DIGEST_A },
      { tag: '5.0.1', digest: DIGEST_B },
      c,
    );
    expect(git(c, 'status', '--porcelain')).toBe('');
    expect(output.out).toContain('env/staging: 5.0.0 -> 5.0.1');
  });

  describe('refuses bad input and changes nothing', () => {
    const cases: Array<[string, string[], RegExp]> = [
      [
        'an unknown environment',
        ['--env', 'qa', '--tag', '1.0.1', '--digest', DIGEST_A],
        /--env: got "qa"; expected one of the environments: dev, prod, staging/,
      ],
      [
        'a malformed tag',
        ['--env', 'dev', '--tag', 'v1 beta', '--digest', DIGEST_A],
        /--tag: got "v1 beta"; expected an OCI tag/,
      ],
      ['the tag latest', ['--env', 'dev', '--tag', 'latest', '--digest', DIGEST_A], /--tag: got "latest"/],
      [
        'a malformed digest',
        ['--env', 'dev', '--tag', '1.0.1', '--digest', 'sha256:XYZ'],
        /--digest: got "sha256:XYZ"; expected sha256: followed by 64/,
      ],
      [
        'a short source commit',
        ['--env', 'dev', '--tag', '1.0.1', '--digest', DIGEST_A, '--source-commit', 'abc123'],
        /--source-commit: got "abc123"/,
      ],
      [
        'an unknown remote',
        ['--env', 'dev', '--tag', '1.0.1', '--digest', DIGEST_A, '--push', 'upstream'],
        /--push: got "upstream"; expected a configured git remote \(origin\)/,
      ],
      ['a missing flag', ['--env', 'dev', '--digest', DIGEST_A], /--tag is required/],
      [
        'an unknown flag',
        ['--env', 'dev', '--tag', '1.0.1', '--digest', DIGEST_A, '--force'],
        /Unknown option '--force'/,
      ],
      [
        'a bad --max-attempts',
        ['--env', 'dev', '--tag', '1.0.1', '--digest', DIGEST_A, '--max-attempts', '0'],
        /--max-attempts: got "0"/,
      ],
    ];
    // One clone for these cases: each leaves it exactly as it found it (asserted), so each starts from a fresh clone.
    let refused: string | undefined;
    it.each(cases)('%s', async (_what, args, message) => {
      const c = (refused ??= fx.clone('bad-input'));
      const before = snapshot(c);
      const originTip = git(fx.origin, 'rev-parse', 'env/dev');
      await expect(bumpIn(c, ...args)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
      expect(snapshot(c)).toEqual(before);
      expect(git(fx.origin, 'rev-parse', 'env/dev')).toBe(originTip);
    });

    it('a missing env branch, without advising to create it from main', async () => {
      const c = fx.freshClone('nobranch');
      git(c, 'update-ref', '-d', 'refs/remotes/origin/env/prod');
      const before = snapshot(c);
      const local = bumpIn(c, '--env', 'prod', '--tag', '1.0.1', '--digest', DIGEST_A);
      await expect(local).rejects.toThrow(
        /^branch env\/prod does not exist here, neither as a local nor as a remote-tracking branch; expected one: fetch it \(git fetch origin\) or pass --push REMOTE$/,
      );
      git(fx.origin, 'branch', '--quiet', '-m', 'env/prod', 'env/prod-moved');
      try {
        const pushed = bumpIn(c, '--env', 'prod', '--tag', '1.0.1', '--digest', DIGEST_A, '--push', 'origin');
        await expect(pushed).rejects.toThrow(
          /^branch env\/prod does not exist on remote origin; expected it to: .*Bootstrap/,
        );
        await expect(pushed).rejects.not.toThrow(/main/);
      } finally {
        git(fx.origin, 'branch', '--quiet', '-m', 'env/prod-moved', 'env/prod');
      }
      await expect(local).rejects.not.toThrow(/main/);
      expect(snapshot(c)).toEqual(before);
    });

    it('a dirty worktree that has the env branch checked out', async () => {
      const c = fx.clone('dirty');
      git(c, 'switch', '--quiet', 'env/dev');
      writeFileSync(join(c, 'environments/dev.yaml'), '# local edit\n', { flag: 'a' });
      const before = snapshot(c);
      await expect(bumpIn(c, '--env', 'dev', '--tag', '1.0.2', '--digest', DIGEST_A)).rejects.toThrow(
        /has env\/dev checked out with uncommitted changes .*expected a clean worktree/,
      );
      expect(snapshot(c)).toEqual(before);
    });

    it('an env branch whose dist/ does not match its config', async () => {
      const c = fx.clone('stale');
      git(c, 'switch', '--quiet', 'env/staging');
      writeFileSync(join(c, 'dist/staging/metrics-app.yaml'), '# hand edit\n', { flag: 'a' });
      git(c, 'commit', '--quiet', '-am', 'hand edit');
      git(c, 'switch', '--quiet', 'main');
      const before = snapshot(c);
      await expect(bumpIn(c, '--env', 'staging', '--tag', '1.0.3', '--digest', DIGEST_A)).rejects.toThrow(
        /dist\/staging on env\/staging .* is not what environments\/staging.yaml renders .*metrics-app.yaml/,
      );
      expect(snapshot(c)).toEqual(before);
    });
  });

  it('re-applies on the new tip when another bump lands between its fetch and its push', async () => {
    const cli = builtCli();
    const ours = fx.clone('race-ours');
    const theirs = fx.clone('race-theirs');
    const start = git(fx.origin, 'rev-parse', 'env/prod');
    let competed = false;
    let renders = 0;
    // The renderer runs after bump fetched its base and before it pushes: land a competing bump right there.
    const racingRender: typeof renderEnvironment = (root, env) => {
      renders++;
      if (!competed) {
        competed = true;
        execFileSync(
          process.execPath,
          [cli, 'bump', '--env', 'prod', '--tag', '7.0.0', '--digest', DIGEST_B, '--push', 'origin'],
          {
            cwd: theirs,
            env: { ...process.env, ...IDENTITY },
            stdio: 'ignore',
          },
        );
      }
      return renderEnvironment(root, env);
    };
    await expect(
      bumpCommand(
        () => racingRender,
        () => ours,
      ).run(['--env', 'prod', '--tag', '7.0.1', '--digest', DIGEST_A, '--push', 'origin']),
    ).resolves.toBe(0);
    expect(output.err).toMatch(/env\/prod moved on origin while pushing \(attempt 1\/10\); re-applying on the new tip/);
    expect(output.out).toContain('after 2 attempts');
    // attempt 1 rendered its base and its change; attempt 2 only the new base: its change renders what attempt 1's did
    expect(renders).toBe(3);
    const log = git(fx.origin, 'log', '--format=%s|%(trailers:key=Image-Digest,valueonly)', `${start}..env/prod`)
      .split('\n')
      .filter(Boolean);
    expect(log).toEqual([`bump(prod): 7.0.1|${DIGEST_A}`, `bump(prod): 7.0.0|${DIGEST_B}`]);
    expect(git(fx.origin, 'rev-list', '--merges', `${start}..env/prod`)).toBe('');
    expect(git(ours, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('lands N concurrent bumps from separate processes and clones, in a linear history', async () => {
    const cli = builtCli();
    const n = 5;
    const clones = Array.from({ length: n }, (_, i) => fx.clone(`race-${i}`));
    const start = git(fx.origin, 'rev-parse', 'env/dev');
    const digests = clones.map((_, i) => `sha256:${String(i).repeat(64)}`);
    const runs = clones.map(
      (c, i) =>
        new Promise<{ code: number | null; stderr: string }>((done) => {
          const p = spawn(
            process.execPath,
            [
              cli,
              'bump',
              '--env',
              'dev',
              '--tag',
              `3.0.${i}`,
              '--digest',
              digests[i]!,
              '--source-commit',
              SHA,
              '--push',
              'origin',
              '--max-attempts',
              '20',
            ],
            {
              cwd: c,
              env: { ...process.env, ...IDENTITY },
            },
          );
          let stderr = '';
          p.stderr.on('data', (d) => (stderr += d));
          p.on('close', (code) => done({ code, stderr }));
        }),
    );
    const results = await Promise.all(runs);
    expect(results.map((r) => r.code)).toEqual(Array(n).fill(0));

    const tip = git(fx.origin, 'rev-parse', 'env/dev');
    const commits = git(fx.origin, 'rev-list', '--first-parent', `${start}..${tip}`).split('\n');
    expect(commits).toHaveLength(n);
    expect(git(fx.origin, 'rev-list', '--merges', `${start}..${tip}`)).toBe('');
    const landed = git(fx.origin, 'log', '--format=%(trailers:key=Image-Digest,valueonly)', `${start}..${tip}`)
      .split('\n')
      .filter(Boolean);
    expect([...landed].sort()).toEqual([...digests].sort());
    // last writer wins: the tip's pin and render are those of the last commit pushed
    const last = landed[0]!;
    expect(git(fx.origin, 'show', `${tip}:environments/dev.yaml`)).toContain(`digest: ${last}`);
    expect(git(fx.origin, 'show', `${tip}:dist/dev/metrics-app.yaml`)).toContain(`@${last}`);
    // the pin of each commit and of its parent, read with one git process
    const revs = commits.flatMap((c) => [`${c}^`, c]);
    const texts = showAll(fx.origin, ...revs.map((rev) => `${rev}:environments/dev.yaml`));
    const pins = new Map(
      revs.map((rev, i) => {
        const text = texts[i]!;
        return [rev, { tag: text.match(/tag: "([^"]+)"/)![1]!, digest: text.match(/digest: (sha256:[a-f0-9]+)/)![1]! }];
      }),
    );
    for (const c of commits) expectOnlyPinChanges(`${c}^`, c, 'dev', pins.get(`${c}^`)!, pins.get(c)!);
  }, 60_000);

  it('lands 8 concurrent bumps from one clone (their temporary worktrees come and go under each other)', async () => {
    const c = fx.clone('one-clone-race');
    const start = git(fx.origin, 'rev-parse', 'env/dev');
    const digests = Array.from({ length: 8 }, (_, i) => `sha256:${String(i + 1).repeat(63)}f`);
    const results = await Promise.all(
      digests.map((digest, i) =>
        runBuiltCli(
          ['bump', '--env', 'dev', '--tag', `8.0.${i}`, '--digest', digest, '--push', 'origin', '--max-attempts', '30'],
          { cwd: c, env: { ...process.env, ...IDENTITY }, timeoutMs: 100_000 },
        ),
      ),
    );
    expect(results.filter((r) => r.code !== 0).map((r) => r.err)).toEqual([]);
    const landed = git(fx.origin, 'log', '--format=%(trailers:key=Image-Digest,valueonly)', `${start}..env/dev`)
      .split('\n')
      .filter(Boolean);
    expect([...landed].sort()).toEqual(digests);
    expect(git(fx.origin, 'rev-list', '--merges', `${start}..env/dev`)).toBe('');
    // the local branch ends at the remote tip (never moved backwards by a bump that pushed earlier)
    expect(git(c, 'rev-parse', 'env/dev')).toBe(git(fx.origin, 'rev-parse', 'env/dev'));
    expect(git(c, 'worktree', 'list').split('\n')).toHaveLength(1);
  }, 120_000);

  it('removes the temporary worktree of a bump killed with -9 on the next run', async () => {
    const c = fx.clone('killed');
    const tempWorktrees = (): string[] => {
      let list: string;
      try {
        list = git(c, 'worktree', 'list', '--porcelain');
      } catch {
        return []; // read while git was adding it: look again
      }
      return list.split('\n').filter((l) => l.startsWith('worktree ') && /\/platform-staging-[^/]+$/.test(l));
    };
    // whether git has registered a temporary worktree of staging (its admin dir names it in `gitdir`), read from the
    // files instead of running git every 20 ms
    const admin = join(c, '.git', 'worktrees');
    const registered = (): boolean => {
      let names: string[];
      try {
        names = readdirSync(admin);
      } catch {
        return false; // no worktree added yet
      }
      return names.some((n) => n.startsWith('platform-staging-') && existsSync(join(admin, n, 'gitdir')));
    };
    const child = spawn(
      process.execPath,
      [builtCli(), 'bump', '--env', 'staging', '--tag', '9.0.0', '--digest', DIGEST_A],
      { cwd: c, env: { ...process.env, ...IDENTITY }, stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.on('exit', r));
    // kill it while it works in its worktree (bounded: 30 s), once git lists it
    for (let i = 0; i < 1500 && !(registered() && tempWorktrees().length > 0); i++)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    const left = tempWorktrees();
    try {
      expect(left).toHaveLength(1);
      await expect(bumpIn(c, '--env', 'staging', '--tag', '9.0.1', '--digest', DIGEST_B)).resolves.toBe(0);
      expect(output.err).toContain(`removed 1 temporary worktree(s) left by runs that died: ${left[0]!.slice(9)}`);
      expect(tempWorktrees()).toEqual([]);
      expect(existsSync(left[0]!.slice(9))).toBe(false);
      expect(git(c, 'worktree', 'list').split('\n')).toHaveLength(1);
    } finally {
      for (const l of left) rmSync(l.slice('worktree '.length), { recursive: true, force: true }); // outside the fixture
    }
  }, 60_000);
});
