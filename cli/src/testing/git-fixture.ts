import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
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

/** `git show REV:PATH` of each of `specs` (`REV:PATH`), in order, with one git process (`cat-file --batch`) for all. */
export function showAll(cwd: string, ...specs: string[]): string[] {
  const out = execFileSync('git', ['cat-file', '--batch'], {
    cwd,
    input: specs.map((spec) => `${spec}\n`).join(''),
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const contents: string[] = [];
  let at = 0;
  for (const spec of specs) {
    const eol = out.indexOf(0x0a, at);
    const header = out.subarray(at, eol).toString('utf8'); // "<object> blob <size>", or "<spec> missing"
    const m = /^[0-9a-f]+ blob (\d+)$/.exec(header);
    if (m === null) throw new Error(`git cat-file --batch in ${cwd}: expected the blob ${spec}, got "${header}"`);
    contents.push(out.subarray(eol + 1, eol + 1 + Number(m[1])).toString('utf8'));
    at = eol + 1 + Number(m[1]) + 1;
  }
  return contents;
}

/** `git rev-parse REV...` with one git process: the object name of each of `revs`, in order. */
export function revParse(cwd: string, ...revs: string[]): string[] {
  const names = git(cwd, 'rev-parse', ...revs).split('\n');
  if (names.length !== revs.length) throw new Error(`git rev-parse ${revs.join(' ')}: got ${names.join(', ')}`);
  return names;
}

/** The environment files of the fixture (this repository's environments/*.yaml), in name order. */
function environmentFiles(): string[] {
  return readdirSync(join(REPO_ROOT, 'environments'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

/**
 * The fixture's repositories do no automatic housekeeping: without it, nearly every commit, fetch and merge also runs
 * `git maintenance run --auto` and every push into origin `git gc --auto` (~6 % of the git processes of the git-based
 * suites), for repositories that live a few seconds. What the commands do is the same.
 */
const NO_AUTO_HOUSEKEEPING = { 'gc.auto': '0', 'maintenance.auto': 'false', 'receive.autogc': 'false' };
const noAutoHousekeeping = Object.entries(NO_AUTO_HOUSEKEEPING).flatMap(([k, v]) => ['-c', `${k}=${v}`]);

/** Creates the bare `origin` at `origin` (a path that does not exist yet): main and env/<env> at one seed commit. */
function seedOrigin(render: RenderEnvironment, dir: string, origin: string, envs: readonly string[]): void {
  git(dir, 'init', '--quiet', '--bare', '-b', 'main', origin);
  // as `git config KEY VALUE` would write them, without a git process each
  appendFileSync(
    join(origin, 'config'),
    Object.entries(NO_AUTO_HOUSEKEEPING)
      .map(([key, value]) => `[${key.split('.')[0]}]\n\t${key.split('.')[1]} = ${value}\n`)
      .join(''),
  );
  const seed = join(dir, 'seed');
  git(dir, 'init', '--quiet', '-b', 'main', seed);
  mkdirSync(join(seed, 'environments'));
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
}

/**
 * A bare origin seeded with the real renderer, made once per jest run (under its temp dir, PLATFORM_JEST_TMPDIR, see
 * jest.global-setup.js) and copied by every suite that needs one: rendering every environment and seeding the
 * repository is most of a fixture's cost, and its result is the same for all suites of a run (same renderer, same
 * environments/*.yaml, which name the template). Whoever makes it first renames it into place; the others use it.
 */
function templateOrigin(envs: readonly string[]): string | undefined {
  const runDir = process.env.PLATFORM_JEST_TMPDIR;
  if (runDir === undefined || !existsSync(runDir)) return undefined;
  const hash = createHash('sha256');
  for (const f of envs) hash.update(`${f}\0${readFileSync(join(REPO_ROOT, 'environments', f), 'utf8')}\0`);
  const template = join(runDir, `git-fixture-origin-${hash.digest('hex').slice(0, 16)}.git`);
  if (existsSync(template)) return template;
  const draft = mkdtempSync(join(runDir, 'git-fixture-draft-'));
  try {
    seedOrigin(renderEnvironment, draft, join(draft, 'origin.git'), envs);
    renameSync(join(draft, 'origin.git'), template);
  } catch (err) {
    // another suite renamed its template into place first: use that one
    if (!existsSync(join(template, 'HEAD'))) throw err;
  } finally {
    rmSync(draft, { recursive: true, force: true });
  }
  return template;
}

/**
 * A fixture in a new temp dir, its origin seeded with `render`; with `'shared template'` instead, a copy of the jest
 * run's origin seeded with the real renderer (`templateOrigin`; seeded here when not run by jest).
 */
export function createGitFixture(render: RenderEnvironment | 'shared template'): GitFixture {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-test-'));
  const origin = join(dir, 'origin.git');
  const envs = environmentFiles();
  const template = render === 'shared template' ? templateOrigin(envs) : undefined;
  if (template !== undefined) cpSync(template, origin, { recursive: true });
  else seedOrigin(render === 'shared template' ? renderEnvironment : render, dir, origin, envs);
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
      git(dir, 'clone', '--quiet', ...noAutoHousekeeping, ...tracking, origin, path);
      execFileSync('git', ['update-ref', '--stdin'], {
        cwd: path,
        input: names.map((b) => `create refs/heads/${b} refs/remotes/origin/${b}\n`).join(''),
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      return path;
    },
    freshClone(name) {
      const path = join(dir, name);
      git(dir, 'clone', '--quiet', ...noAutoHousekeeping, origin, path);
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
 * The suite's git fixture: created (a copy of the run's origin seeded with the real renderer, and the test git
 * identity in `process.env`) in `beforeAll`, removed in `afterAll`. The returned object forwards to it, so it can be used from any test.
 */
export function useGitFixture(): GitFixture {
  let fx: GitFixture | undefined;
  beforeAll(() => {
    Object.assign(process.env, IDENTITY);
    fx = createGitFixture('shared template');
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
