import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentConfigError } from './config/errors';
import { EnvironmentXrError } from './crossplane/environment-xrs';
import { XrPropsError } from './crossplane/xr/composite-resource';
import { assertUniqueObjects, renderAll } from './render';
import {
  RENDER_WORKER_SCRIPT,
  RenderWorkerError,
  renderAllParallel,
  reviveError,
  serializeError,
} from './render-parallel';

const repoRoot = join(__dirname, '..', '..');
const LIB = join(repoRoot, 'cdk8s', 'lib');

/** Trees as comparable data: directory order, then each directory's files in order with their text. */
const flat = (trees: ReturnType<typeof renderAll>) => trees.map((t) => [t.dir, [...t.files]]);

/** What an error is to the CLI: its class, name and message (the stack is where it was thrown). */
const shape = (err: unknown) =>
  err instanceof Error ? { class: err.constructor, name: err.name, message: err.message } : { value: err };

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

async function rejected(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('renderAllParallel', () => {
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** A copy of the environments, each file passed through `edit`. */
  function repoWith(edit: (name: string, text: string) => string): string {
    const root = tempDir('render-parallel-');
    cpSync(join(repoRoot, 'environments'), join(root, 'environments'), { recursive: true });
    for (const name of ['dev', 'prod', 'staging']) {
      const file = join(root, 'environments', `${name}.yaml`);
      writeFileSync(file, edit(name, readFileSync(file, 'utf8')));
    }
    return root;
  }

  /** A worker script that runs `prelude` (with `render` = the built render module), then the real worker. */
  function workerScript(prelude: string): string {
    const file = join(tempDir('render-worker-'), 'worker.js');
    writeFileSync(
      file,
      `const render = require(${JSON.stringify(join(LIB, 'render.js'))});\n${prelude}\nrequire(${JSON.stringify(RENDER_WORKER_SCRIPT)});\n`,
    );
    return file;
  }

  let serial: ReturnType<typeof renderAll>;
  beforeAll(() => {
    serial = renderAll(repoRoot);
  });

  it('runs the compiled worker script, from TypeScript sources too', () => {
    expect(RENDER_WORKER_SCRIPT).toBe(join(LIB, 'render-worker.js'));
    expect(existsSync(RENDER_WORKER_SCRIPT)).toBe(true);
  });

  it('renders byte-identical trees in the same order when a worker renders every environment', async () => {
    const result = await renderAllParallel(repoRoot, { threads: () => 2, renderOnMainThread: false });
    expect(result.rendered).toEqual([0, 3]);
    expect(flat(result.trees)).toEqual(flat(serial));
  });

  it('renders on the main thread alone, with no worker, when one thread is asked for', async () => {
    const result = await renderAllParallel(repoRoot, { threads: () => 1, workerScript: '/nonexistent/worker.js' });
    expect(result.rendered).toEqual([3]);
    expect(flat(result.trees)).toEqual(flat(serial));
  });

  it("reports a worker's input error as the serial render does: the first failing environment's, as its class", async () => {
    // 50 characters: dev-ecr-push-<name> and prod-ecr-push-<name> fit the 64 of an IAM role name, staging's does not
    const long = 'metrics-app-' + 'x'.repeat(38);
    const root = repoWith((_, text) =>
      text.replace(/^( {4}- name: )metrics-app$/m, `$1${long}`).replace(/\/metrics-app$/m, `/${long}`),
    );
    const expected = caught(() => renderAll(root));
    expect(expected).toBeInstanceOf(EnvironmentXrError);
    expect((expected as Error).message).toMatch(/^environments\/staging\.yaml: ecr\.repositories\[\]\.name: got /);
    const err = await rejected(renderAllParallel(root, { threads: () => 2, renderOnMainThread: false }));
    expect(err).toBeInstanceOf(EnvironmentXrError);
    expect(shape(err)).toEqual(shape(expected));
  });

  it('reports an internal error of a worker (two objects with one name) as the serial render would throw it', async () => {
    const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' } };
    const files = [
      { file: 'one.yaml', manifests: [manifest] },
      { file: 'two.yaml', manifests: [manifest] },
    ];
    const expected = caught(() => assertUniqueObjects('dist/prod', files));
    const script = workerScript(`
      const real = render.renderEnvironment;
      render.renderEnvironment = (root, env, envs) => {
        const rendered = real(root, env, envs);
        if (env.name === 'prod') render.assertUniqueObjects('dist/prod', ${JSON.stringify(files)});
        return rendered;
      };`);
    const err = await rejected(
      renderAllParallel(repoRoot, { threads: () => 2, renderOnMainThread: false, workerScript: script }),
    );
    expect(shape(err)).toEqual(shape(expected));
    expect(shape(err)).toEqual({
      class: Error,
      name: 'Error',
      message: 'dist/prod: ConfigMap/a/c is rendered twice (in one.yaml and two.yaml); names must be unique',
    });
    // an internal error is printed with its stack: the worker's, where it was thrown
    expect((err as Error).stack).toMatch(/^Error: dist\/prod: ConfigMap\/a\/c is rendered twice[^\n]*\n\s+at /);
  });

  it('fails with a RenderWorkerError, not a hang, when a worker dies after taking an environment', async () => {
    const script = workerScript(`render.renderEnvironment = () => process.exit(4);`);
    const err = await rejected(
      renderAllParallel(repoRoot, { threads: () => 2, renderOnMainThread: false, workerScript: script }),
    );
    expect(err).toBeInstanceOf(RenderWorkerError);
    expect((err as Error).message).toBe(
      'render worker 1 of 1 exited (code 4) before it had rendered every environment it took',
    );
  });

  it('fails when a worker exits or throws while starting, even when the main thread rendered everything', async () => {
    const exits = join(tempDir('render-worker-'), 'exits.js');
    writeFileSync(exits, 'process.exit(3);\n');
    const throws = join(tempDir('render-worker-'), 'throws.js');
    writeFileSync(throws, "throw new TypeError('cannot start');\n");
    const [exited, threw] = await Promise.all([
      rejected(renderAllParallel(repoRoot, { threads: () => 2, workerScript: exits })),
      rejected(renderAllParallel(repoRoot, { threads: () => 2, workerScript: throws })),
    ]);
    expect(exited).toBeInstanceOf(RenderWorkerError);
    expect((exited as Error).message).toMatch(/^render worker 1 of 1 exited \(code 3\) before/);
    expect(threw).toBeInstanceOf(RenderWorkerError);
    expect((threw as Error).message).toBe('render worker 1 of 1 failed: TypeError: cannot start');
  });

  it('reports a bad environment file as renderAll does, and stops the workers it started', async () => {
    const root = repoWith((name, text) =>
      name === 'prod' ? text.replace(/^namespace: .*$/m, 'namespace: Bad') : text,
    );
    const expected = caught(() => renderAll(root));
    expect(expected).toBeInstanceOf(EnvironmentConfigError);
    const err = await rejected(renderAllParallel(root, { threads: () => 3 }));
    expect(shape(err)).toEqual(shape(expected));
  });

  it('never starts more threads than there are environments', async () => {
    const asked: number[] = [];
    const result = await renderAllParallel(repoRoot, {
      threads: (n) => (asked.push(n), 64),
      workerScript: workerScript(''),
    });
    expect(asked).toEqual([3]);
    expect(result.rendered).toHaveLength(3);
    expect(result.rendered.reduce((a, b) => a + b, 0)).toBe(3);
    expect(flat(result.trees)).toEqual(flat(serial));
  });
});

describe('errors across threads', () => {
  const roundTrip = (err: unknown) => reviveError(structuredClone(serializeError(err)));

  it('keep the class, name, message, stack and own fields of the input errors', () => {
    const config = new EnvironmentConfigError('environments/x.yaml: name: got "X"; expected a DNS-1123 label');
    const xr = new XrPropsError('Repository', 'r', ['spec.region: got ""; expected a region']);
    const env = new EnvironmentXrError('environments/x.yaml: addons: got unknown add-on(s) x; expected only y');
    for (const original of [config, xr, env]) {
      const back = roundTrip(original) as Error;
      expect(back).toBeInstanceOf(original.constructor);
      expect([back.name, back.message, back.stack]).toEqual([original.name, original.message, original.stack]);
    }
    const coded = Object.assign(new RangeError('too big'), { code: 'E_BIG' });
    expect(roundTrip(coded)).toMatchObject({ constructor: RangeError, message: 'too big', code: 'E_BIG' });
  });

  it('turn an unknown class into an Error with its name, and keep thrown non-errors', () => {
    class Custom extends Error {
      override name = 'Custom';
    }
    const back = roundTrip(new Custom('odd')) as Error;
    expect([back.constructor, back.name, back.message]).toEqual([Error, 'Custom', 'odd']);
    expect(roundTrip('a string')).toBe('a string');
    expect(roundTrip(Symbol.for('s'))).toBe('Symbol(s)');
  });
});
