import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceDirAtomic, writeFileAtomic } from './atomic';

describe('atomic writes', () => {
  const root = mkdtempSync(join(tmpdir(), 'atomic-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('replaces a whole directory and leaves no temp dir behind', () => {
    const target = join(root, 'dist', 'dev');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'stale.yaml'), 'old');
    replaceDirAtomic(
      target,
      new Map([
        ['a.yaml', 'a'],
        ['sub/b.yaml', 'b'],
      ]),
    );
    expect(readdirSync(target).sort()).toEqual(['a.yaml', 'sub']);
    expect(readFileSync(join(target, 'sub/b.yaml'), 'utf8')).toBe('b');
    expect(readdirSync(join(root, 'dist'))).toEqual(['dev']);
  });

  it("gives the new directory the user's umask, not mkdtemp's 0700", () => {
    const target = join(root, 'moded');
    const umask = process.umask(0o022);
    try {
      replaceDirAtomic(target, new Map([['x.yaml', 'x']]));
    } finally {
      process.umask(umask);
    }
    expect((statSync(target).mode & 0o777).toString(8)).toBe('755');
  });

  it('keeps the old directory when writing the new one fails', () => {
    const target = join(root, 'keep');
    replaceDirAtomic(target, new Map([['x.yaml', 'x']]));
    // a file path that cannot be created (a directory component is a file) makes the write fail
    expect(() =>
      replaceDirAtomic(
        target,
        new Map([
          ['f', 'file'],
          ['f/g', 'nested'],
        ]),
      ),
    ).toThrow();
    expect(readdirSync(target)).toEqual(['x.yaml']);
    expect(readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('writes a file atomically', () => {
    const file = join(root, 'one', 'file.txt');
    writeFileAtomic(file, 'hello');
    expect(readFileSync(file, 'utf8')).toBe('hello');
    expect(readdirSync(join(root, 'one'))).toEqual(['file.txt']);
  });
});
