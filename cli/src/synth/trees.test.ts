import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import type * as NodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareTrees, listFiles, writeTrees, type Tree } from './trees';

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
      if (String(to) === join(root, 'dist', 'prod') && !String(from).endsWith('.old')) throw new Error('disk full');
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
