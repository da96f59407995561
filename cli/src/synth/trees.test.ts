import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import type * as NodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOURNAL_FILE } from './journal';
import { LOCK_FILE } from './lock';
import { findForeignFiles, findStrays } from './strays';
import { compareTrees, listFiles, recover, writeTrees, type Tree } from './trees';

function repoWith(trees: Record<string, Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'trees-'));
  for (const [dir, files] of Object.entries(trees)) {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, name), content);
    }
  }
  return root;
}

const tree = (dir: string, files: Record<string, string>): Tree => ({ dir, files: new Map(Object.entries(files)) });

function everything(root: string): Record<string, string> {
  // includes dot-files, so leftover temp dirs show up
  return Object.fromEntries(listFiles(root).map((f) => [f, readFileSync(join(root, f), 'utf8')]));
}

describe('writeTrees', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  const fresh = (t: Record<string, Record<string, string>>) => {
    const r = repoWith(t);
    roots.push(r);
    return r;
  };

  it('replaces every tree, dropping files the sources no longer render', () => {
    const root = fresh({ 'dist/dev': { 'old.yaml': 'old' }, keep: { 'x.txt': 'x' } });
    writeTrees(root, [tree('dist/dev', { 'a.yaml': 'a' }), tree('dist/prod', { 'b.yaml': 'b' })]);
    expect(everything(root)).toEqual({ 'dist/dev/a.yaml': 'a', 'dist/prod/b.yaml': 'b', 'keep/x.txt': 'x' });
  });

  it('removes a tree that has no files', () => {
    const root = fresh({ 'dist/dev': { 'a.yaml': 'a' }, 'dist/gone': { 'b.yaml': 'b' } });
    writeTrees(root, [tree('dist/dev', { 'a.yaml': 'a2' }), tree('dist/gone', {})]);
    expect(everything(root)).toEqual({ 'dist/dev/a.yaml': 'a2' });
  });

  it('changes nothing when writing a later tree fails', () => {
    const root = fresh({ 'dist/dev': { 'a.yaml': 'old-a' }, 'dist/prod': { 'b.yaml': 'old-b' } });
    const before = everything(root);
    // "f" is a file, so "f/g" cannot be created
    expect(() =>
      writeTrees(root, [tree('dist/dev', { 'a.yaml': 'new-a' }), tree('dist/prod', { f: '1', 'f/g': '2' })]),
    ).toThrow();
    expect(everything(root)).toEqual(before);
    expect(readdirSync(join(root, 'dist')).sort()).toEqual(['dev', 'prod']);
  });

  it('puts back the trees already swapped in when a later swap fails', () => {
    const root = fresh({ 'dist/dev': { 'a.yaml': 'old-a' }, 'dist/prod': { 'b.yaml': 'old-b' } });
    const before = everything(root);
    // the CommonJS module object itself: the code under test reads its functions from it at call time
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('node:fs') as typeof NodeFs;
    const rename = fs.renameSync;
    const spy = jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      // swapping the new dist/prod in fails; moving the old one aside and back works
      if (String(to) === join(root, 'dist', 'prod') && String(from).endsWith('.synth-new'))
        throw new Error('disk full');
      rename(from, to);
    });
    try {
      expect(() =>
        writeTrees(root, [tree('dist/dev', { 'a.yaml': 'new-a' }), tree('dist/prod', { 'b.yaml': 'new-b' })]),
      ).toThrow('disk full');
    } finally {
      spy.mockRestore();
    }
    expect(everything(root)).toEqual(before);
    expect(readdirSync(join(root, 'dist')).sort()).toEqual(['dev', 'prod']);
  });

  it('leaves unchanged trees and files alone (same inode and mtime) and reports what it did', () => {
    const root = fresh({});
    const first = writeTrees(root, [
      tree('dist/dev', { 'a.yaml': 'a', 'b.yaml': 'b' }),
      tree('dist/prod', { 'p.yaml': 'p' }),
    ]);
    expect(first.trees.map((t) => [t.dir, t.status, t.added])).toEqual([
      ['dist/dev', 'written', 2],
      ['dist/prod', 'written', 1],
    ]);
    const before = (f: string) => statSync(join(root, f));
    const a = before('dist/dev/a.yaml');
    const p = before('dist/prod/p.yaml');
    const second = writeTrees(root, [
      tree('dist/dev', { 'a.yaml': 'a', 'c.yaml': 'c' }),
      tree('dist/prod', { 'p.yaml': 'p' }),
    ]);
    expect(second.trees).toEqual([
      { dir: 'dist/dev', status: 'written', files: 2, added: 1, changed: 0, deleted: 1 },
      { dir: 'dist/prod', status: 'unchanged', files: 1, added: 0, changed: 0, deleted: 0 },
    ]);
    for (const [file, old] of [
      ['dist/dev/a.yaml', a],
      ['dist/prod/p.yaml', p],
    ] as const) {
      expect([file, before(file).ino, before(file).mtimeMs]).toEqual([file, old.ino, old.mtimeMs]);
    }
    expect(everything(root)).toEqual({ 'dist/dev/a.yaml': 'a', 'dist/dev/c.yaml': 'c', 'dist/prod/p.yaml': 'p' });
  });

  it("creates directories with the user's umask, not 0700, and repairs 0700 ones", () => {
    const root = fresh({ 'dist/old': { 'x.yaml': 'x' } });
    chmodSync(join(root, 'dist/old'), 0o700);
    const umask = process.umask(0o022);
    try {
      writeTrees(root, [tree('dist/new', { 'sub/a.yaml': 'a' }), tree('dist/old', { 'x.yaml': 'x' })]);
    } finally {
      process.umask(umask);
    }
    for (const d of ['dist/new', 'dist/new/sub', 'dist/old'])
      expect([d, (statSync(join(root, d)).mode & 0o777).toString(8)]).toEqual([d, '755']);
  });

  it('deletes files at the top of dist/ (it holds only generated trees: a cdk8s synth -o dist, a copied file)', () => {
    const root = fresh({ 'dist/dev': { 'a.yaml': 'a' }, argocd: { 'keep.yaml': 'k' } });
    writeFileSync(join(root, 'dist', 'dev-app-c8b9d6fd.k8s.yaml'), 'kind: Deployment');
    writeFileSync(join(root, 'dist', '.gitkeep'), '');
    expect(findForeignFiles(root)).toEqual(['dist/dev-app-c8b9d6fd.k8s.yaml']);
    const report = writeTrees(root, [tree('dist/dev', { 'a.yaml': 'a' })]);
    expect(report.foreign).toEqual(['dist/dev-app-c8b9d6fd.k8s.yaml']);
    expect(everything(root)).toEqual({ 'dist/dev/a.yaml': 'a', 'dist/.gitkeep': '', 'argocd/keep.yaml': 'k' });
  });

  it('deletes what interrupted synths left behind, also of earlier versions', () => {
    const root = fresh({
      'dist/dev': { 'a.yaml': 'a' },
      'dist/.dev.tmp-AbC123': { 'a.yaml': 'half' },
      'dist/.dev.tmp-AbC123.old': { 'a.yaml': 'older' },
      'dist/.qa.synth-new': { 'q.yaml': 'q' },
      'argocd/.apps.synth-old': { 'x.yaml': 'x' },
      '.crossplane.tmp-zz9999': { 'c.yaml': 'c' },
      '.other.tmp-zz9999': { 'keep.txt': 'not synth' },
    });
    writeFileSync(join(root, '.synth-journal.json.tmp'), '{"ver');
    expect(findStrays(root)).toEqual([
      '.synth-journal.json.tmp',
      '.crossplane.tmp-zz9999',
      'argocd/.apps.synth-old',
      'dist/.dev.tmp-AbC123',
      'dist/.dev.tmp-AbC123.old',
      'dist/.qa.synth-new',
    ]);
    const report = writeTrees(root, [tree('dist/dev', { 'a.yaml': 'a' })]);
    expect(report.strays).toHaveLength(6);
    expect(report.trees[0]!.status).toBe('unchanged');
    expect(everything(root)).toEqual({ 'dist/dev/a.yaml': 'a', '.other.tmp-zz9999/keep.txt': 'not synth' });
  });

  it('refuses to run while another live synth holds the lock, and takes over a dead one', () => {
    const root = fresh({});
    writeFileSync(join(root, LOCK_FILE), `${process.ppid}\n`); // a live process that is not this one
    expect(() => writeTrees(root, [tree('dist/dev', { 'a.yaml': 'a' })])).toThrow(
      new RegExp(`another platform synth \\(pid ${process.ppid}\\) is writing under`),
    );
    writeFileSync(join(root, LOCK_FILE), '999999999\n'); // no such process
    writeTrees(root, [tree('dist/dev', { 'a.yaml': 'a' })]);
    expect(everything(root)).toEqual({ 'dist/dev/a.yaml': 'a' });
  });
});

describe('journal recovery', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  // Every state a synth killed after writing its journal can leave, for a tree that is replaced (dev), one that is
  // new (prod) and one that is removed (qa): recovery must end with the new trees and nothing else.
  const states: [string, Record<string, Record<string, string>>][] = [
    [
      'nothing swapped yet',
      {
        'dist/dev': { 'a.yaml': 'old' },
        'dist/.dev.synth-new': { 'a.yaml': 'new' },
        'dist/.prod.synth-new': { 'p.yaml': 'new' },
        'dist/qa': { 'q.yaml': 'old' },
      },
    ],
    [
      'dev moved aside, not yet replaced',
      {
        'dist/.dev.synth-old': { 'a.yaml': 'old' },
        'dist/.dev.synth-new': { 'a.yaml': 'new' },
        'dist/.prod.synth-new': { 'p.yaml': 'new' },
        'dist/qa': { 'q.yaml': 'old' },
      },
    ],
    [
      'dev and prod swapped',
      {
        'dist/.dev.synth-old': { 'a.yaml': 'old' },
        'dist/dev': { 'a.yaml': 'new' },
        'dist/prod': { 'p.yaml': 'new' },
        'dist/qa': { 'q.yaml': 'old' },
      },
    ],
    [
      'all swapped, old trees half deleted',
      { 'dist/dev': { 'a.yaml': 'new' }, 'dist/prod': { 'p.yaml': 'new' }, 'dist/.qa.synth-old': { 'q.yaml': 'old' } },
    ],
    ['all done but the journal', { 'dist/dev': { 'a.yaml': 'new' }, 'dist/prod': { 'p.yaml': 'new' } }],
  ];
  it.each(states)('completes a synth killed with %s', (_name, layout) => {
    const root = repoWith(layout);
    roots.push(root);
    writeFileSync(
      join(root, JOURNAL_FILE),
      JSON.stringify({
        version: 1,
        swaps: [
          { dir: 'dist/dev', staged: 'dist/.dev.synth-new', aside: 'dist/.dev.synth-old' },
          { dir: 'dist/prod', staged: 'dist/.prod.synth-new', aside: 'dist/.prod.synth-old' },
          { dir: 'dist/qa', staged: null, aside: 'dist/.qa.synth-old' },
        ],
      }),
    );
    expect(recover(root)).toEqual(['dist/dev', 'dist/prod', 'dist/qa']);
    expect(everything(root)).toEqual({ 'dist/dev/a.yaml': 'new', 'dist/prod/p.yaml': 'new' });
    expect(recover(root)).toEqual([]);
  });

  it('refuses a journal it cannot read, naming the file and what it expected', () => {
    const root = repoWith({});
    roots.push(root);
    writeFileSync(
      join(root, JOURNAL_FILE),
      JSON.stringify({ version: 1, swaps: [{ dir: '/etc', staged: null, aside: '/tmp/x' }] }),
    );
    expect(() => recover(root)).toThrow(/\.synth-journal\.json: got .*; expected \{"version": 1, "swaps"/);
  });
});

describe('compareTrees', () => {
  it('reports changed, missing and stale files with unified diffs', () => {
    const root = repoWith({ 'dist/dev': { 'a.yaml': 'x: 1\n', 'gone.yaml': 'y\n' } });
    try {
      const drifts = compareTrees(root, [tree('dist/dev', { 'a.yaml': 'x: 2\n', 'new.yaml': 'z\n' })]);
      expect(drifts.map((d) => [d.kind, d.file])).toEqual([
        ['changed', 'dist/dev/a.yaml'],
        ['stale', 'dist/dev/gone.yaml'],
        ['missing', 'dist/dev/new.yaml'],
      ]);
      expect(drifts[0]!.diff).toContain(
        '--- a/dist/dev/a.yaml\n+++ b/dist/dev/a.yaml\n@@ -1,1 +1,1 @@\n-x: 1\n+x: 2\n',
      );
      expect(compareTrees(root, [tree('dist/dev', { 'a.yaml': 'x: 1\n', 'gone.yaml': 'y\n' })])).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
