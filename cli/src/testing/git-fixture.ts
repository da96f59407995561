import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEnvironment } from '@metrics-platform/cdk8s/lib/config';
import { renderEnvironment } from '@metrics-platform/cdk8s/lib/render';
import type { RenderEnvironment } from '../gitops/env-branch';
import type { Command } from '../commands/command';
import { replaceDirAtomic } from '../util/atomic';

/**
 * Test fixture (used by the tests of the git-based commands only): a bare `origin` and clones of a small repository
 * with this project's real environments/*.yaml and their rendered dist/<env>/, branches main and env/<env> for each.
 */
export interface GitFixture {
  readonly dir: string;
  readonly origin: string;
  /** A fresh clone of origin with every env branch as a local branch too. */
  clone(name: string): string;
  /** A plain `git clone` of origin: env branches only as remote-tracking `origin/env/*`, like every fresh clone. */
  freshClone(name: string): string;
  cleanup(): void;
}

export const REPO_ROOT = resolve(__dirname, '../../..');

export const IDENTITY = {
  GIT_AUTHOR_NAME: 'Platform Test',
  GIT_AUTHOR_EMAIL: 'platform-test@example.org',
  GIT_COMMITTER_NAME: 'Platform Test',
  GIT_COMMITTER_EMAIL: 'platform-test@example.org',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...IDENTITY },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function createGitFixture(render: RenderEnvironment): GitFixture {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-test-'));
  const origin = join(dir, 'origin.git');
  git(dir, 'init', '--quiet', '--bare', '-b', 'main', origin);
  const seed = join(dir, 'seed');
  git(dir, 'init', '--quiet', '-b', 'main', seed);
  mkdirSync(join(seed, 'environments'));
  const envs = readdirSync(join(REPO_ROOT, 'environments')).filter((f) => f.endsWith('.yaml'));
  for (const f of envs) copyFileSync(join(REPO_ROOT, 'environments', f), join(seed, 'environments', f));
  for (const f of envs) {
    const name = f.slice(0, -'.yaml'.length);
    replaceDirAtomic(join(seed, 'dist', name), render(seed, loadEnvironment(seed, name)));
  }
  git(seed, 'add', '.');
  git(seed, 'commit', '--quiet', '-m', 'seed');
  git(seed, 'remote', 'add', 'origin', origin);
  const branches = envs.map((f) => `main:env/${f.slice(0, -'.yaml'.length)}`);
  git(seed, 'push', '--quiet', 'origin', 'main', ...branches);
  return {
    dir,
    origin,
    clone(name) {
      const path = join(dir, name);
      const names = envs.map((f) => `env/${f.slice(0, -'.yaml'.length)}`);
      // what `git branch --track env/E origin/env/E` does for each E, in two git processes instead of 1 + |E|:
      // the tracking configuration set by the clone, the branches created in one transaction
      const tracking = names.flatMap((b) => [
        '-c',
        `branch.${b}.remote=origin`,
        '-c',
        `branch.${b}.merge=refs/heads/${b}`,
      ]);
      git(dir, 'clone', '--quiet', ...tracking, origin, path);
      execFileSync('git', ['update-ref', '--stdin'], {
        cwd: path,
        input: names.map((b) => `create refs/heads/${b} refs/remotes/origin/${b}\n`).join(''),
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      return path;
    },
    freshClone(name) {
      const path = join(dir, name);
      git(dir, 'clone', '--quiet', origin, path);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
export const DIGEST_C = `sha256:${'c'.repeat(64)}`;

/**
 * The suite's git fixture: created (with the real renderer, and the test git identity in `process.env`) in
 * `beforeAll`, removed in `afterAll`. The returned object forwards to it, so it can be used from any test.
 */
export function useGitFixture(): GitFixture {
  let fx: GitFixture | undefined;
  beforeAll(() => {
    Object.assign(process.env, IDENTITY);
    fx = createGitFixture(renderEnvironment);
  });
  afterAll(() => fx?.cleanup());
  const current = (): GitFixture => {
    if (fx === undefined) throw new Error('the git fixture exists only while the suite runs (beforeAll to afterAll)');
    return fx;
  };
  return {
    get dir() {
      return current().dir;
    },
    get origin() {
      return current().origin;
    },
    clone: (name) => current().clone(name),
    freshClone: (name) => current().freshClone(name),
    cleanup: () => current().cleanup(),
  };
}

/** A git-based command (`bump`, `promote`, `diff`) built with the real renderer, run as if from checkout `dir`. */
export function commandIn(
  factory: (render: () => RenderEnvironment, cwd: () => string) => Command,
): (dir: string, ...args: string[]) => Promise<number> {
  return (dir, ...args) =>
    factory(
      () => renderEnvironment,
      () => dir,
    ).run(args);
}
