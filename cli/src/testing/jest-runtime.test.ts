import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileFunction, createContext, type Context } from 'node:vm';
import { nodeLoaded } from './run-cli';

/**
 * The repository's jest runtime (`jest.runtime.js` at the root, named by jest.config.js): jest's own, with a V8 code
 * cache per worker. Read through Node's module cache, this is the instance the worker running this file uses.
 */
const ROOT = resolve(__dirname, '../../..');
interface Stats {
  hits: number;
  misses: number;
  rejected: number;
  files: number;
}
const runtime = nodeLoaded(join(ROOT, 'jest.runtime.js')) as {
  codeCacheStats(): Stats;
  compileFunctionCached(
    code: string,
    params: string[],
    options: { filename: string; parsingContext: Context },
  ): (...args: unknown[]) => unknown;
};

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'jest-runtime-test-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('jest.runtime.js', () => {
  it('is the runtime of every jest configuration of the repository', () => {
    for (const config of ['jest.config.js', 'jest.slow.config.js', 'jest.e2e.config.js', 'jest.engines.config.js']) {
      const { runtime: path, rootDir } = nodeLoaded(join(ROOT, config)) as { runtime?: string; rootDir?: string };
      expect([config, path?.replace('<rootDir>', rootDir ?? ROOT)]).toEqual([config, join(ROOT, 'jest.runtime.js')]);
    }
  });

  it('extends the jest-runtime of the installed jest (a devDependency of its own, at the same version)', () => {
    const version = (pkg: string) =>
      (
        JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }), 'utf8')) as {
          version: string;
        }
      ).version;
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(version('jest-runtime')).toBe(version('jest'));
    expect(manifest.devDependencies['jest-runtime']).toBe(manifest.devDependencies.jest);
  });

  it('compiles a module the second time from the cache, and still runs it afresh for each registry', () => {
    const file = join(dir, 'counted.js');
    writeFileSync(
      file,
      'globalThis.__loads = (globalThis.__loads ?? 0) + 1;\nmodule.exports = { at: Math.random() };\n',
    );
    const before = runtime.codeCacheStats();
    let first: unknown;
    let second: unknown;
    jest.isolateModules(() => (first = jest.requireActual(file)));
    jest.isolateModules(() => (second = jest.requireActual(file)));
    const after = runtime.codeCacheStats();
    expect(second).not.toBe(first); // two module instances: jest's isolation is unchanged
    expect((globalThis as { __loads?: number }).__loads).toBe(2);
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(1);
  });

  it('never serves the code of another source under the same name, even of the same length', () => {
    const filename = join(dir, 'same-name.js');
    const parsingContext = createContext();
    const compile = (code: string) => runtime.compileFunctionCached(code, [], { filename, parsingContext })();
    const before = runtime.codeCacheStats();
    expect(compile('return "one";')).toBe('one');
    expect(compile('return "one";')).toBe('one');
    expect(compile('return "two";')).toBe('two'); // V8 itself checks only the length
    expect(compile('return "two";')).toBe('two');
    const after = runtime.codeCacheStats();
    expect([after.misses - before.misses, after.hits - before.hits]).toEqual([2, 2]);
  });

  it('compiles what vm.compileFunction does: parameters, this, strict mode, and the same error positions', () => {
    const filename = join(dir, 'positions.js');
    const parsingContext = createContext();
    // line 1 is where the wrapper's prefix would shift columns if it were not compensated
    const code =
      "'use strict'; if (a === 1) throw new Error('one');\nconst f = () => { throw new Error('two'); };\nf();";
    const where = (fn: (this: unknown, a: number) => unknown, a: number) => {
      try {
        fn.call({ self: true }, a);
      } catch (err) {
        return (err as Error).stack!.split('\n')[1]!.trim();
      }
      return 'no error';
    };
    const expected = compileFunction(code, ['a'], { filename, parsingContext }) as (a: number) => unknown;
    for (let i = 0; i < 2; i++) {
      const got = runtime.compileFunctionCached(code, ['a'], { filename, parsingContext });
      expect([where(got, 1), where(got, 2)]).toEqual([where(expected, 1), where(expected, 2)]);
      expect([where(got, 1), where(got, 2)]).toEqual([
        `at Object.<anonymous> (${filename}:1:34)`,
        `at f (${filename}:2:25)`,
      ]);
    }
    const self = runtime.compileFunctionCached('"use strict"; return [this, typeof arguments, a + b];', ['a', 'b'], {
      filename: join(dir, 'this.js'),
      parsingContext,
    });
    expect(self.call('me', 1, 2)).toEqual(['me', 'object', 3]);
  });
});
