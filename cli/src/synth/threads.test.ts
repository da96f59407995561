import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedPlatform } from '../bench/generated-platform';
import { runBuiltCli, runCli } from '../testing/run-cli';
import { UsageError } from '../util/errors';
import { renderTrees, renderTreesOnThreads } from './index';
import { forcedThreads, MIN_ENVIRONMENTS_PER_THREAD, renderThreads, THREADS_VARIABLE } from './threads';

const repoRoot = join(__dirname, '..', '..', '..');

describe('render threads', () => {
  it('are one for the real platform, on any machine: no worker starts', () => {
    const real = readdirSync(join(repoRoot, 'environments')).filter((f) => f.endsWith('.yaml')).length;
    for (const cores of [1, 2, 64]) expect(renderThreads(real, undefined, cores)).toBe(1);
  });

  it(`start a worker from ${2 * MIN_ENVIRONMENTS_PER_THREAD} environments, at most one per core and 4`, () => {
    expect(renderThreads(2 * MIN_ENVIRONMENTS_PER_THREAD - 1, undefined, 2)).toBe(1);
    expect(renderThreads(2 * MIN_ENVIRONMENTS_PER_THREAD, undefined, 2)).toBe(2);
    expect(renderThreads(300, undefined, 2)).toBe(2);
    expect(renderThreads(300, undefined, 1)).toBe(1);
    expect(renderThreads(3 * MIN_ENVIRONMENTS_PER_THREAD, undefined, 64)).toBe(3);
    expect(renderThreads(10 * MIN_ENVIRONMENTS_PER_THREAD, undefined, 64)).toBe(4);
  });

  it(`are ${THREADS_VARIABLE} when set, never more than one per environment`, () => {
    expect(renderThreads(3, forcedThreads({ [THREADS_VARIABLE]: '2' }), 1)).toBe(2);
    expect(renderThreads(300, forcedThreads({ [THREADS_VARIABLE]: '1' }), 64)).toBe(1);
    expect(renderThreads(3, forcedThreads({ [THREADS_VARIABLE]: '64' }), 2)).toBe(3);
    expect(forcedThreads({})).toBeUndefined();
    expect(forcedThreads({ [THREADS_VARIABLE]: '' })).toBeUndefined();
  });

  it(`refuse a ${THREADS_VARIABLE} that is not an integer 1..64, in one line naming it`, () => {
    for (const bad of ['0', '65', 'two', '1.5', ' 2', '-1', '2x', '1e1']) {
      expect(() => forcedThreads({ [THREADS_VARIABLE]: bad })).toThrow(
        new UsageError(
          `${THREADS_VARIABLE}: got ${JSON.stringify(bad)}; expected an integer 1..64 (threads rendering environments, the main thread included), or unset for automatic`,
        ),
      );
    }
  });
});

describe('platform synth on several threads', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const saved = process.env[THREADS_VARIABLE];
  afterEach(() => {
    if (saved === undefined) delete process.env[THREADS_VARIABLE];
    else process.env[THREADS_VARIABLE] = saved;
  });
  const synth = (threads: string, ...args: string[]) => {
    process.env[THREADS_VARIABLE] = threads;
    return runCli(['synth', ...args]);
  };

  it('writes what the main thread alone renders, byte for byte, and removes what no environment describes', async () => {
    // 2 apps x 3 environments, rendered on 2 threads: small, but through the worker path
    const { root } = generatedPlatform(repoRoot, 2);
    dirs.push(root);
    const serial = renderTrees(root);
    expect(serial.map((t) => t.dir)).toContain('dist/app-0002-staging');
    expect((await renderTreesOnThreads(root, { threads: 2 })).map((t) => [t.dir, [...t.files]])).toEqual(
      serial.map((t) => [t.dir, [...t.files]]),
    );
    mkdirSync(join(root, 'dist', 'gone'), { recursive: true });
    writeFileSync(join(root, 'dist', 'gone', 'app.yaml'), 'kind: Leftover\n');
    const written = await synth('2', '--root', root);
    expect(written).toMatchObject({ code: 0, err: '' });
    expect(written.out).toMatch(/^wrote dist\/app-0002-staging\/ \(5 files: 5 added\)$/m);
    expect(written.out).toMatch(/^removed dist\/gone\/ /m);
    for (const tree of serial) {
      expect([tree.dir, readdirSync(join(root, tree.dir)).sort()]).toEqual([tree.dir, [...tree.files.keys()].sort()]);
      for (const [file, text] of tree.files) expect(readFileSync(join(root, tree.dir, file), 'utf8')).toBe(text);
    }
  });

  it("reports an environment's error from any thread as the main thread alone does", async () => {
    const root = mkdtempSync(join(tmpdir(), 'synth-threads-'));
    dirs.push(root);
    cpSync(join(repoRoot, 'environments'), join(root, 'environments'), { recursive: true });
    cpSync(join(repoRoot, 'cdk8s.yaml'), join(root, 'cdk8s.yaml'));
    // an IAM role name over 64 characters in staging only: an error of the render, not of loading
    const long = 'metrics-app-' + 'x'.repeat(38);
    for (const f of readdirSync(join(root, 'environments'))) {
      const file = join(root, 'environments', f);
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replace(/^( {4}- name: )metrics-app$/m, `$1${long}`)
          .replace(/\/metrics-app$/m, `/${long}`),
      );
    }
    const serial = await synth('1', '--root', root);
    expect(serial.code).toBe(1);
    expect(serial.err).toMatch(/^platform synth: environments\/staging\.yaml: ecr\.repositories\[\]\.name: got "/);
    expect(await synth('3', '--root', root)).toEqual(serial);
    expect(readdirSync(root).sort()).toEqual(['cdk8s.yaml', 'environments']);
  });

  it(`refuses a bad ${THREADS_VARIABLE} before rendering anything (built CLI)`, async () => {
    const res = await runBuiltCli(['synth', '--check'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, [THREADS_VARIABLE]: '0' },
    });
    expect(res).toEqual({
      code: 2,
      out: '',
      err: `platform synth: ${THREADS_VARIABLE}: got "0"; expected an integer 1..64 (threads rendering environments, the main thread included), or unset for automatic\n`,
    });
  });
});
