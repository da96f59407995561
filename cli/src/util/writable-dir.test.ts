import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWritableDir } from './writable-dir';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'writable-dir-'));
  writeFileSync(join(dir, 'a-file'), 'x');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkWritableDir', () => {
  it('accepts an existing directory and one still to be created, leaving nothing behind', () => {
    expect(checkWritableDir(dir, '--out')).toBe(dir);
    expect(checkWritableDir(join(dir, 'new/deeper'), '--out')).toBe(join(dir, 'new/deeper'));
    expect(existsSync(join(dir, 'new'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['a-file']);
  });

  it('refuses a file, or a path under a file, in one line', () => {
    for (const value of [join(dir, 'a-file'), join(dir, 'a-file/sub')]) {
      expect(() => checkWritableDir(value, '--out')).toThrow(
        expect.objectContaining({
          exitCode: 2,
          message: expect.stringMatching(
            new RegExp(
              `^--out: got "${value}"; expected a directory that can be created and written \\(.*a-file is a file[^\\n]*\\)$`,
            ),
          ),
        }),
      );
    }
  });

  it('refuses /proc at once (mkdir -p would loop there)', () => {
    const started = Date.now();
    expect(() => checkWritableDir('/proc/nope', '--out')).toThrow(
      /^--out: got "\/proc\/nope"; expected a directory that can be created and written \(cannot create a directory in \/proc: E[A-Z]+\)$/,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a directory it cannot write', () => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    try {
      // root ignores permission bits: there the check must still pass, since writing would succeed
      if (process.getuid?.() === 0) expect(checkWritableDir(join(ro, 'out'), '--out')).toBe(join(ro, 'out'));
      else
        expect(() => checkWritableDir(join(ro, 'out'), '--out')).toThrow(
          /cannot create a directory in .*read-only: EACCES/,
        );
    } finally {
      chmodSync(ro, 0o700);
    }
  });
});
