import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { CliError } from '../util/errors';

/** git's message when it read another worktree's admin files while that worktree was being added or removed. */
const WORKTREE_RACE = /(bad object|failed to read|unable to read|invalid gitfile format)[^\n]*worktrees\//i;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.round(ms));
}

/** Outcome of one git invocation that is allowed to fail. */
export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One entry of `git worktree list --porcelain`. */
export interface Worktree {
  readonly path: string;
  /** The full ref checked out (`refs/heads/...`); undefined when detached or bare. */
  readonly branch?: string;
  /** The lock reason ('' when locked without one); undefined when not locked. */
  readonly locked?: string;
}

/** Runs git in one repository or worktree, never prompting, with stable (C locale) messages to match on. */
export class Git {
  constructor(readonly cwd: string) {}

  /**
   * Runs git and returns the result whatever the exit code. A failure caused by another command of this repository
   * adding or removing a worktree at that moment (git read its half-written admin files) is retried a few times.
   */
  try(args: readonly string[], input?: string): GitResult {
    const res = this.tryBytes(args, input);
    return { code: res.code, stdout: res.stdout.toString('utf8'), stderr: res.stderr };
  }

  /** `try` with stdout as bytes (for output that counts bytes, like `cat-file --batch`). */
  private tryBytes(args: readonly string[], input?: string): { code: number; stdout: Buffer; stderr: string } {
    for (let attempt = 1; ; attempt++) {
      const res = spawnSync('git', [...args], {
        cwd: this.cwd,
        input,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', LANG: 'C' },
      });
      if (res.error) throw new CliError(`cannot run git: ${res.error.message}`);
      const result = { code: res.status ?? 1, stdout: res.stdout, stderr: res.stderr.toString('utf8') };
      if (result.code === 0 || !WORKTREE_RACE.test(result.stderr) || attempt >= 10) return result;
      sleepSync(50 * attempt * (0.5 + Math.random()));
    }
  }

  /** Runs git and returns stdout; a non-zero exit is a CliError naming the command and git's message. */
  run(args: readonly string[], input?: string): string {
    const res = this.try(args, input);
    if (res.code !== 0) {
      throw new CliError(`git ${args.join(' ')} failed (in ${this.cwd}): ${(res.stderr || res.stdout).trim()}`);
    }
    return res.stdout;
  }

  /** The commit a ref names, or undefined when it does not exist. */
  resolve(ref: string): string | undefined {
    const res = this.try(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return res.code === 0 ? res.stdout.trim() : undefined;
  }

  /**
   * The commits of those of `refs` (full names: `refs/heads/…`) that exist, in one git process however many; a
   * missing ref has no entry.
   */
  commitsOf(refs: readonly string[]): Map<string, string> {
    const commits = new Map<string, string>();
    if (refs.length === 0) return commits;
    const wanted = new Set(refs);
    // for-each-ref also lists refs below a pattern (refs/heads/a matches refs/heads/a/b): only exact names count
    for (const line of this.run(['for-each-ref', '--format=%(refname) %(objecttype) %(objectname)', ...refs]).split(
      '\n',
    )) {
      const [name, type, object] = line.split(' ');
      if (name === undefined || object === undefined || !wanted.has(name)) continue;
      // a ref to anything but a commit (an annotated tag): peeled as `resolve` does
      const commit = type === 'commit' ? object : this.resolve(name);
      if (commit !== undefined) commits.set(name, commit);
    }
    return commits;
  }

  isAncestor(ancestor: string, descendant: string): boolean {
    if (ancestor === descendant) return true; // a commit is its own ancestor: no need to ask git
    return this.try(['merge-base', '--is-ancestor', ancestor, descendant]).code === 0;
  }

  /** Uncommitted changes (tracked or untracked), as `git status --porcelain` lines. */
  status(): string[] {
    return this.run(['status', '--porcelain'])
      .split('\n')
      .filter((l) => l !== '');
  }

  /** Content of `path` at `rev`, or undefined when it does not exist there. */
  show(rev: string, path: string): string | undefined {
    const res = this.try(['show', `${rev}:${path}`]);
    return res.code === 0 ? res.stdout : undefined;
  }

  /** Files under `dir` at `rev` (paths relative to `dir`) -> content: two git processes, however many files. */
  tree(rev: string, dir: string): Map<string, string> {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    // "<mode> <type> <object>\t<path>" per entry
    const entries = this.run(['ls-tree', '-r', '-z', rev, '--', prefix])
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t');
        const [, type, object] = line.slice(0, tab).split(' ');
        return { path: line.slice(tab + 1), type: type!, object: object! };
      });
    const blobs = entries.filter((e) => e.type === 'blob');
    const contents = new Map<string, string>();
    if (blobs.length > 0) this.blobs(blobs.map((e) => e.object)).forEach((c, i) => contents.set(blobs[i]!.path, c));
    const files = new Map<string, string>();
    for (const e of entries) {
      // anything but a blob (a submodule's commit) as `git show` prints it
      files.set(e.path.slice(prefix.length), contents.get(e.path) ?? this.run(['show', `${rev}:${e.path}`]));
    }
    return files;
  }

  /** The contents of blob objects (`git cat-file --batch`: one process for all), in order, as UTF-8 text. */
  private blobs(objects: readonly string[]): string[] {
    const res = this.tryBytes(['cat-file', '--batch'], objects.map((o) => `${o}\n`).join(''));
    if (res.code !== 0) throw new CliError(`git cat-file --batch failed (in ${this.cwd}): ${res.stderr.trim()}`);
    const out = res.stdout;
    const contents: string[] = [];
    let at = 0;
    for (const object of objects) {
      const eol = out.indexOf(0x0a, at);
      const header = out.subarray(at, eol).toString('latin1'); // "<object> blob <size>" or "<object> missing"
      const m = /^[0-9a-f]+ blob (\d+)$/.exec(header);
      if (m === null) throw new CliError(`git cat-file --batch: expected blob ${object}, got "${header}"`);
      const size = Number(m[1]);
      contents.push(out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
      at = eol + 1 + size + 1; // the content is followed by a newline
    }
    return contents;
  }

  /** The repository's common git directory (shared by all its worktrees), absolute. */
  commonDir(): string {
    return resolve(this.cwd, this.run(['rev-parse', '--git-common-dir']).trim());
  }

  /** The worktrees of this repository (`git worktree list --porcelain`), the main one first. */
  worktrees(): Worktree[] {
    const entries: Worktree[] = [];
    for (const line of this.run(['worktree', 'list', '--porcelain']).split('\n')) {
      const last = entries[entries.length - 1];
      if (line.startsWith('worktree ')) entries.push({ path: line.slice('worktree '.length) });
      else if (last === undefined) continue;
      else if (line.startsWith('branch '))
        entries[entries.length - 1] = { ...last, branch: line.slice('branch '.length) };
      else if (line === 'locked' || line.startsWith('locked ')) {
        entries[entries.length - 1] = { ...last, locked: line.slice('locked '.length) };
      }
    }
    return entries;
  }

  /** The worktree (path) that has `branch` checked out, if any (of `worktrees`, by default read now). */
  worktreeOf(branch: string, worktrees: readonly Worktree[] = this.worktrees()): string | undefined {
    return worktrees.find((w) => w.branch === `refs/heads/${branch}`)?.path;
  }
}

/** The top of the git repository containing `dir`, or a CliError when it is not in one. */
export function repositoryRoot(dir: string): string {
  return repositoryDirs(dir).root;
}

/**
 * The top of the git repository containing `dir` and its common git directory (`Git.commonDir`), absolute, in one
 * git process; a CliError when `dir` is not in one.
 */
export function repositoryDirs(dir: string): { root: string; commonDir: string } {
  const res = new Git(dir).try(['rev-parse', '--show-toplevel', '--git-common-dir']);
  if (res.code !== 0) throw new CliError(`${dir} is not inside a git repository: ${res.stderr.trim()}`);
  const [root, commonDir] = res.stdout.replace(/\n$/, '').split('\n');
  if (root === undefined || commonDir === undefined) {
    throw new CliError(
      `git rev-parse --show-toplevel --git-common-dir (in ${dir}): unexpected output ${JSON.stringify(res.stdout)}`,
    );
  }
  return { root, commonDir: resolve(dir, commonDir) };
}
