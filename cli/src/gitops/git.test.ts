import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../testing/git-fixture';
import { Git, repositoryDirs } from './git';
import { addTempWorktree, removeTempWorktree } from './temp-worktree';

/** A repository in `dir` (created) on branch main with one empty commit. */
function initWithOneCommit(dir: string): string {
  git(dir, 'init', '--quiet', '-b', 'main', dir);
  git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '--quiet', '--allow-empty', '-m', 'c');
  return dir;
}

describe('Git.tree', () => {
  let repo: string;
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'git-tree-'));
    git(repo, 'init', '--quiet', '-b', 'main');
    mkdirSync(join(repo, 'dist/dev/nested'), { recursive: true });
    writeFileSync(join(repo, 'dist/dev/a.yaml'), 'kind: A\n');
    writeFileSync(join(repo, 'dist/dev/b.yaml'), 'no trailing newline, ünïcödé ✓');
    writeFileSync(join(repo, 'dist/dev/empty.yaml'), '');
    writeFileSync(join(repo, 'dist/dev/nested/c.yaml'), 'line\n\nline\n'.repeat(1000));
    writeFileSync(join(repo, 'dist/dev-other.yaml'), 'outside the directory\n');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'add', '.');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '--quiet', '-m', 'files');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('reads every file under a directory at a revision, byte for byte, in git order', () => {
    const files = new Git(repo).tree('HEAD', 'dist/dev');
    expect([...files.keys()]).toEqual(['a.yaml', 'b.yaml', 'empty.yaml', 'nested/c.yaml']);
    expect(files.get('a.yaml')).toBe('kind: A\n');
    expect(files.get('b.yaml')).toBe('no trailing newline, ünïcödé ✓');
    expect(files.get('empty.yaml')).toBe('');
    expect(files.get('nested/c.yaml')).toBe('line\n\nline\n'.repeat(1000));
    expect(new Git(repo).tree('HEAD', 'dist/dev/')).toEqual(files);
  });

  it('is empty for a directory the revision does not have', () => {
    expect(new Git(repo).tree('HEAD', 'dist/prod')).toEqual(new Map());
  });
});

describe('Git.commitsOf', () => {
  let repo: string;
  beforeAll(() => {
    repo = initWithOneCommit(mkdtempSync(join(tmpdir(), 'git-commits-of-')));
    git(repo, 'branch', 'env/dev/below'); // below refs/heads/env/dev, which does not exist
    git(repo, 'branch', 'env/prod');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'tag', '-a', '-m', 'annotated', 'v1');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('resolves the refs that exist, exactly those names, annotated tags peeled to their commit', () => {
    const head = git(repo, 'rev-parse', 'HEAD');
    const commits = new Git(repo).commitsOf(['refs/heads/env/dev', 'refs/heads/env/prod', 'refs/tags/v1', 'refs/x']);
    expect(commits).toEqual(
      new Map([
        ['refs/heads/env/prod', head],
        ['refs/tags/v1', head],
      ]),
    );
    expect(new Git(repo).commitsOf([])).toEqual(new Map());
  });
});

describe('repositoryDirs', () => {
  it('names the top and the common git dir, from a sub-directory and from a linked worktree', () => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'git-dirs-')));
    try {
      const repo = join(base, 'repo');
      mkdirSync(repo);
      initWithOneCommit(repo);
      mkdirSync(join(repo, 'sub/dir'), { recursive: true });
      expect(repositoryDirs(join(repo, 'sub/dir'))).toEqual({ root: repo, commonDir: join(repo, '.git') });
      git(repo, 'worktree', 'add', '--quiet', '--detach', join(base, 'linked'));
      expect(repositoryDirs(join(base, 'linked'))).toEqual({
        root: join(base, 'linked'),
        commonDir: join(repo, '.git'),
      });
      expect(new Git(join(base, 'linked')).commonDir()).toBe(join(repo, '.git'));
      expect(() => repositoryDirs(base)).toThrow(`${base} is not inside a git repository: `);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('removeTempWorktree', () => {
  let repo: string;
  beforeAll(() => {
    repo = initWithOneCommit(mkdtempSync(join(tmpdir(), 'temp-worktree-')));
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  const adminEntries = () =>
    existsSync(join(repo, '.git/worktrees')) ? readdirSync(join(repo, '.git/worktrees')) : [];

  it('deletes the worktree and its admin files', () => {
    const g = new Git(repo);
    const path = addTempWorktree(g, 'dev', 'HEAD');
    expect(g.worktrees().map((w) => w.path)).toContain(path);
    removeTempWorktree(g, path);
    expect(existsSync(path)).toBe(false);
    expect(g.worktrees()).toHaveLength(1);
    expect(adminEntries()).toEqual([]);
  });

  it('drops the admin files of one whose directory is already gone', () => {
    const g = new Git(repo);
    const path = addTempWorktree(g, 'dev', 'HEAD');
    rmSync(path, { recursive: true, force: true });
    removeTempWorktree(g, path);
    expect(g.worktrees()).toHaveLength(1);
    expect(adminEntries()).toEqual([]);
  });
});
