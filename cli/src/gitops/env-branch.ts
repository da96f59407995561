import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvironment, type EnvironmentConfig, type ImagePin } from '@metrics-platform/cdk8s/lib/config';
import { CliError, asUserError } from '../util/errors';
import { replaceDirAtomic, writeFileAtomic } from '../util/atomic';
import { Git } from './git';
import { addTempWorktree, pruneStaleWorktrees, removeTempWorktree } from './temp-worktree';
import { takeTurn } from './turn';

export { checkEnvironment, environmentNames } from './environments';
import { imageReference, samePin, setPinInYaml, type PinTarget } from './pin';

/**
 * Renders `dist/<env>/` of one environment (file -> YAML); `renderEnvironment` of the cdk8s package. Its output is a
 * function of `env` and the environments/*.yaml files under `repoRoot` (the other environments it wires to).
 */
export type RenderEnvironment = (repoRoot: string, env: EnvironmentConfig) => Map<string, string>;

export function envBranch(env: string): string {
  return `env/${env}`;
}
export function envFile(env: string): string {
  return `environments/${env}.yaml`;
}
export function distDir(env: string): string {
  return `dist/${env}`;
}

/** Where an env branch was read: its tip and the ref it came from (`env/E`, `origin/env/E`). */
export interface BranchTip {
  readonly tip: string;
  readonly ref: string;
  /** Whether `ref` is a remote-tracking branch because there is no local `env/E` (every fresh clone). */
  readonly remoteTracking: boolean;
  /** The commit of the local branch `env/E` when there is one, read with the tip (undefined: none). */
  readonly local: string | undefined;
}

/**
 * Stderr of a fetch that failed only because a concurrent command of the same repository was adding or removing its
 * temporary worktree (git reads every worktree's HEAD): `bad object worktrees/…/HEAD`, `failed to read
 * .git/worktrees/…/commondir`, then `did not send all necessary objects`. Retried with backoff, like a lost push race.
 */
const TRANSIENT_FETCH =
  /worktrees\/|bad object|did not send all necessary objects|cannot lock ref|unable to resolve reference/i;

/**
 * Where an env branch is read from: `<remote>/env/<name>` freshly fetched when pushing; otherwise the local branch,
 * else its remote-tracking branch (origin's first). A fetch that failed because another command of this repository
 * was adding or removing its temporary worktree at that moment is retried like a lost push race.
 */
export async function readBranchTip(
  git: Git,
  env: string,
  remote: string | undefined,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise<void>((r) => setTimeout(r, ms)),
  maxAttempts = 10,
): Promise<BranchTip> {
  return (await readBranchTips(git, [env], remote, sleep, maxAttempts))[0]!;
}

/** `readBranchTip` of several environments, in order; from a remote, with one fetch (and one ref lookup) for all. */
export async function readBranchTips(
  git: Git,
  envs: readonly string[],
  remote: string | undefined,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise<void>((r) => setTimeout(r, ms)),
  maxAttempts = 10,
): Promise<BranchTip[]> {
  if (remote === undefined) return envs.map((env) => localBranchTip(git, env));
  const branches = envs.map(envBranch);
  for (let attempt = 1; ; attempt++) {
    const refspecs = branches.map((b) => `+refs/heads/${b}:refs/remotes/${remote}/${b}`);
    const fetched = git.try(['fetch', '--quiet', remote, ...refspecs]);
    if (fetched.code === 0) {
      const commits = git.commitsOf(branches.flatMap((b) => [`refs/remotes/${remote}/${b}`, `refs/heads/${b}`]));
      return branches.map((b) => ({
        tip: commits.get(`refs/remotes/${remote}/${b}`)!,
        ref: `${remote}/${b}`,
        remoteTracking: true,
        local: commits.get(`refs/heads/${b}`),
      }));
    }
    const missing = /couldn't find remote ref (?:refs\/heads\/)?(\S+)/i.exec(fetched.stderr);
    if (missing !== null) {
      const branch = branches.find((b) => b === missing[1]) ?? branches[0];
      throw new CliError(
        `branch ${branch} does not exist on remote ${remote}; expected it to: each environment's branch is created once when it is bootstrapped (docs/gitops.md, Bootstrap)`,
      );
    }
    if (!TRANSIENT_FETCH.test(fetched.stderr) || attempt >= maxAttempts) {
      throw new CliError(`cannot fetch ${branches.join(', ')} from remote ${remote}: ${fetched.stderr.trim()}`);
    }
    await sleep(backoffMs(attempt));
  }
}

/** The local branch env/E, else its remote-tracking branch (origin's first). */
function localBranchTip(git: Git, env: string): BranchTip {
  const branch = envBranch(env);
  const local = git.resolve(`refs/heads/${branch}`);
  if (local !== undefined) return { tip: local, ref: branch, remoteTracking: false, local };
  const tracking = remoteTrackingBranch(git, branch);
  if (tracking !== undefined) return { ...tracking, remoteTracking: true, local: undefined };
  const remotes = git.run(['remote']).split('\n').filter(Boolean);
  throw new CliError(
    `branch ${branch} does not exist here, neither as a local nor as a remote-tracking branch; expected one: ` +
      (remotes.length > 0
        ? `fetch it (git fetch ${remotes.includes('origin') ? 'origin' : remotes[0]}) or pass --push REMOTE`
        : 'run this in a clone of the repository that holds it'),
  );
}

/** `<remote>/<branch>` of this repository (origin first, then the remotes in name order), if any. */
function remoteTrackingBranch(git: Git, branch: string): { tip: string; ref: string } | undefined {
  const remotes = git
    .run(['remote'])
    .split('\n')
    .filter(Boolean)
    .sort((a, b) => (a === 'origin' ? -1 : b === 'origin' ? 1 : a.localeCompare(b)));
  for (const remote of remotes) {
    const tip = git.resolve(`refs/remotes/${remote}/${branch}`);
    if (tip !== undefined) return { tip, ref: `${remote}/${branch}` };
  }
  return undefined;
}

/**
 * Parses an environment file read from a branch; a missing or partial pin or any other invalid field is a one-line
 * CliError naming the file and where it was read (`label`), not an internal error.
 */
export function parseEnvironmentOn(label: string, text: string, env: string): EnvironmentConfig {
  try {
    return parseEnvironment(label, text, env);
  } catch (err) {
    throw asUserError(err) ?? err;
  }
}

/** An environment's config as committed at `rev` (one git process). */
export function readEnvironmentConfigAt(git: Git, rev: string, env: string): EnvironmentConfig {
  const text = git.show(rev, envFile(env));
  if (text === undefined)
    throw new CliError(`${envFile(env)} does not exist at ${rev}; expected env/${env} to hold it`);
  return parseEnvironmentOn(`${envFile(env)} (at ${rev.slice(0, 12)})`, text, env);
}

/** An environment's config and files as committed at `rev`. */
export function readEnvironmentAt(
  git: Git,
  rev: string,
  env: string,
): { config: EnvironmentConfig; dist: Map<string, string> } {
  return { config: readEnvironmentConfigAt(git, rev, env), dist: git.tree(rev, distDir(env)) };
}

function readDir(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(join(dir, prefix)).sort();
  } catch {
    return files;
  }
  for (const name of names) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    if (statSync(join(dir, rel)).isDirectory()) for (const [k, v] of readDir(dir, rel)) files.set(k, v);
    else files.set(rel, readFileSync(join(dir, rel), 'utf8'));
  }
  return files;
}

function sameFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const differing: string[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) if (a.get(name) !== b.get(name)) differing.push(name);
  return differing.sort();
}

/**
 * What `render` made of each input seen in this run: a retry on a new tip where only another pin moved renders the
 * same config with the same environment files again, and gets the result it already has instead (and the same
 * updated environment text, parsed once).
 */
class RenderMemo {
  private readonly results = new Map<string, Map<string, string>>();
  /** Environment texts parsed in this run (a retry re-applies the same pin to the same text: parsed once). */
  private readonly configs = new Map<string, EnvironmentConfig>();
  constructor(private readonly render: RenderEnvironment) {}

  /** `parseEnvironmentOn(label, text, env)`, once per text (`label` only names it in a message). */
  parse(label: string, text: string, env: string): EnvironmentConfig {
    let config = this.configs.get(text);
    if (config === undefined) {
      config = parseEnvironmentOn(label, text, env);
      this.configs.set(text, config);
    }
    return config;
  }

  /** `render(root, env)`, where environments/<env.name>.yaml is about to hold `envText` (the rest as they are). */
  get(root: string, env: EnvironmentConfig, envText: string): Map<string, string> {
    const dir = join(root, 'environments');
    const own = `${env.name}.yaml`;
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => [f, f === own ? envText : readFileSync(join(dir, f), 'utf8')]);
    const key = JSON.stringify([env, files]);
    let result = this.results.get(key);
    if (result === undefined) {
      result = this.render(root, env);
      this.results.set(key, result);
    }
    return new Map(result);
  }
}

/** Commit message trailers, in order (`Source-Commit`, `Image-Digest`, `Promoted-From`). */
export type Trailers = ReadonlyArray<readonly [string, string]>;

export interface PinUpdateProps {
  /** The checkout the command runs in (its git objects and remotes are used; its files are not touched). */
  readonly repoRoot: string;
  /** Its common git directory, when the caller has read it (`repositoryDirs`). @default - read here */
  readonly commonDir?: string;
  readonly env: string;
  readonly pin: PinTarget;
  /** First line of the commit message. */
  readonly subject: string;
  readonly trailers: Trailers;
  /**
   * Push to this remote's `env/<env>`, retrying on a lost race.
   * @default - commit on the local branch only
   */
  readonly remote?: string;
  /** Attempts before giving up on a contended push. @default 10 */
  readonly maxAttempts?: number;
  readonly render: RenderEnvironment;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
  /** Sleeps between attempts; injectable so tests need not wait. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PinUpdateResult {
  /** `unchanged`: the branch already runs this pin, no commit was made. */
  readonly outcome: 'committed' | 'unchanged';
  readonly previous: ImagePin;
  readonly commit: string;
  readonly attempts: number;
}

/** Push failures that mean "someone else moved the branch first": fetch, re-apply, retry. */
const LOST_RACE =
  /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|\(stale info\)|incorrect old value/i;

/** Jittered exponential backoff: 0.5-1.5 x 100 ms x 2^(attempt-1), capped at 5 s. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return Math.round(Math.min(5000, 100 * 2 ** (attempt - 1)) * (0.5 + random()));
}

function commitMessage(subject: string, body: string, trailers: Trailers): string {
  return `${subject}\n\n${body}\n\n${trailers.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
}

/**
 * Sets an environment's image pin on its branch `env/<env>` as exactly one commit that touches only
 * `environments/<env>.yaml` (the two pin lines) and the lines of `dist/<env>/` that depend on it.
 *
 * Work happens in a temporary detached worktree, so the caller's checkout is never modified. When pushing,
 * a rejected push (another bump won the race) fetches the new tip, re-applies the pin there (re-rendering),
 * and retries up to `maxAttempts` times with jittered backoff: every bump lands, in push order (last writer
 * wins), and a bump whose pin is already on the tip ends as `unchanged` instead of adding an empty commit.
 */
export async function updateEnvironmentPin(props: PinUpdateProps): Promise<PinUpdateResult> {
  const git = new Git(props.repoRoot);
  const branch = envBranch(props.env);
  const maxAttempts = props.maxAttempts ?? 10;
  const sleep = props.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  // Preflight: nothing below is written until every check passed.
  const worktrees = git.worktrees();
  const checkedOut = git.worktreeOf(branch, worktrees);
  if (checkedOut !== undefined) {
    const dirty = new Git(checkedOut).status();
    if (dirty.length > 0) {
      throw new CliError(
        `worktree ${checkedOut} has ${branch} checked out with uncommitted changes (${dirty.slice(0, 3).join('; ')}); expected a clean worktree: commit or discard them first`,
      );
    }
  }
  const pruned = pruneStaleWorktrees(git, Date.now(), worktrees);
  if (pruned.length > 0)
    props.log(`removed ${pruned.length} temporary worktree(s) left by runs that died: ${pruned.join(', ')}`);

  // Pushing: the commands of this clone that update this branch take turns (turn.ts), so that concurrent ones fetch,
  // render and push one after another instead of all but one losing the push and doing it all again.
  const endTurn =
    props.remote === undefined
      ? () => undefined
      : await takeTurn(props.commonDir ?? git.commonDir(), branch.replace('/', '-'), { log: props.log });
  let worktree: string | undefined;
  try {
    const from = await readBranchTip(git, props.env, props.remote, sleep);
    let base = from.tip;
    const localTip = from.local;
    if (props.remote !== undefined && localTip !== undefined && !git.isAncestor(localTip, base)) {
      throw new CliError(
        `local ${branch} has commits that ${props.remote}/${branch} does not; expected it to be behind or equal: push or drop them first`,
      );
    }
    worktree = addTempWorktree(git, props.env, base);
    const wt = new Git(worktree);
    const renders = new RenderMemo(props.render);
    for (let attempt = 1; ; attempt++) {
      const applied = applyPin(wt, worktree, props, base, renders);
      if (applied.outcome === 'unchanged') return { ...applied, attempts: attempt };

      if (props.remote === undefined) {
        // No local env/E (a fresh clone): it is created at the commit, tracking the branch it was based on.
        publishLocally(git, branch, applied.commit, localTip ?? '', checkedOut);
        if (localTip === undefined) git.try(['branch', '--quiet', `--set-upstream-to=${from.ref}`, branch]);
        return { ...applied, attempts: attempt };
      }
      const pushed = git.try(['push', '--porcelain', props.remote, `${applied.commit}:refs/heads/${branch}`]);
      if (pushed.code === 0) {
        // the push itself moves the remote-tracking branch where the remote's fetch refspec maps it (every clone's)
        const tracking = `refs/remotes/${props.remote}/${branch}`;
        if (git.resolve(tracking) !== applied.commit) advanceRef(git, tracking, applied.commit, base);
        if (localTip !== undefined) {
          if (checkedOut !== undefined) publishLocally(git, branch, applied.commit, localTip, checkedOut);
          else advanceRef(git, `refs/heads/${branch}`, applied.commit, base);
        }
        return { ...applied, attempts: attempt };
      }
      const why = `${pushed.stdout}\n${pushed.stderr}`;
      if (!LOST_RACE.test(why))
        throw new CliError(
          `git push to ${props.remote} ${branch} failed: ${pushed.stderr.trim() || pushed.stdout.trim()}`,
        );
      if (attempt >= maxAttempts) {
        throw new CliError(
          `${branch} on ${props.remote} kept moving: the push was rejected ${attempt} times (--max-attempts ${maxAttempts}); nothing was pushed, run the command again`,
        );
      }
      const wait = backoffMs(attempt);
      props.log(
        `${branch} moved on ${props.remote} while pushing (attempt ${attempt}/${maxAttempts}); re-applying on the new tip in ${wait} ms`,
      );
      await sleep(wait);
      base = (await readBranchTip(git, props.env, props.remote, sleep)).tip;
      wt.run(['checkout', '--quiet', '--detach', '--force', base]);
    }
  } finally {
    endTurn(); // the next one can start while this worktree goes
    if (worktree !== undefined) removeTempWorktree(git, worktree);
  }
}

/**
 * Moves `ref` forward to `commit` after a push, unless a concurrent command of this repository already moved it to
 * `commit` or past it (its push came later): a compare-and-swap, retried when another command won it meanwhile.
 * `parent` is the commit `commit` was made on: a ref still there is moved at once (one git call instead of four).
 */
function advanceRef(git: Git, ref: string, commit: string, parent: string): void {
  if (git.try(['update-ref', '-m', 'platform: update image pin', ref, commit, parent]).code === 0) return;
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = git.resolve(ref);
    if (current !== undefined && git.isAncestor(commit, current)) return;
    if (current !== undefined && !git.isAncestor(current, commit)) return; // diverged: not ours to move
    if (git.try(['update-ref', '-m', 'platform: update image pin', ref, commit, current ?? '']).code === 0) return;
  }
}

/** Moves the local branch to `commit`: fast-forwards its worktree if it is checked out, else a compare-and-swap. */
function publishLocally(
  git: Git,
  branch: string,
  commit: string,
  expected: string,
  checkedOut: string | undefined,
): void {
  if (checkedOut !== undefined) {
    new Git(checkedOut).run(['merge', '--quiet', '--ff-only', commit]);
    return;
  }
  git.run(['update-ref', '-m', 'platform: update image pin', `refs/heads/${branch}`, commit, expected]);
}

/** One attempt: on the worktree at `base`, set the pin, re-render, commit. Returns the new commit or `unchanged`. */
function applyPin(
  wt: Git,
  worktree: string,
  props: PinUpdateProps,
  base: string,
  renders: RenderMemo,
): { outcome: 'committed' | 'unchanged'; previous: ImagePin; commit: string } {
  const file = envFile(props.env);
  const dist = distDir(props.env);
  const where = `${envBranch(props.env)} (${base.slice(0, 12)})`;
  let text: string;
  try {
    text = readFileSync(join(worktree, file), 'utf8');
  } catch {
    throw new CliError(`${file} does not exist on ${where}; expected the environment's config there`);
  }
  const before = parseEnvironmentOn(`${file} on ${where}`, text, props.env);
  const previous = before.app.image;
  if (samePin(previous, props.pin)) return { outcome: 'unchanged', previous, commit: base };

  // The branch's dist must be exactly what its config renders today; otherwise re-rendering would also
  // carry unrelated changes (a newer renderer from main) into a commit that is meant to change one pin.
  const committed = readDir(join(worktree, dist));
  const stale = sameFiles(committed, renders.get(worktree, before, text));
  if (stale.length > 0) {
    throw new CliError(
      `${dist} on ${where} is not what ${file} renders with this version of the platform (differs in: ${stale.join(', ')}); ` +
        `expected them to agree so the commit changes only the pin: bring main's changes to ${envBranch(props.env)} first (docs/gitops.md)`,
    );
  }

  const updatedText = setPinInYaml(file, text, props.pin);
  const after = renders.parse(file, updatedText, props.env);
  const rendered = renders.get(worktree, after, updatedText);
  writeFileAtomic(join(worktree, file), updatedText);
  replaceDirAtomic(join(worktree, dist), rendered);

  wt.run(['add', '--all', '--', file, dist]);
  const changed = wt.run(['diff', '--cached', '--name-only']).split('\n').filter(Boolean);
  const outside = changed.filter((p) => p !== file && !p.startsWith(`${dist}/`));
  if (outside.length > 0)
    throw new CliError(`refusing to commit files outside ${file} and ${dist}/: ${outside.join(', ')}`);
  const body =
    `Set app.image of ${props.env} to ${imageReference(after.app.image)}\n` +
    `(was ${previous.tag}@${previous.digest}) and re-render ${dist}/.`;
  wt.run(['commit', '--quiet', '--no-verify', '-F', '-'], commitMessage(props.subject, body, props.trailers));
  return { outcome: 'committed', previous, commit: wt.run(['rev-parse', 'HEAD']).trim() };
}
