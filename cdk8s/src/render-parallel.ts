import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EnvironmentConfig } from './config/environment';
import { EnvironmentConfigError } from './config/errors';
import type * as Load from './config/load';
import { EnvironmentXrError } from './crossplane/environment-xrs';
import { XrPropsError } from './crossplane/xr/composite-resource';
import { completeTrees, renderAll, renderEnvironment, type GeneratedTree } from './render';

/**
 * renderAll on several threads: the main thread loads the environments, then it and N - 1 worker threads render
 * them (each `renderEnvironment` depends only on its environment and the list of all of them), then the main
 * thread renders crossplane/ and argocd/apps/ as renderAll does. The result is renderAll's, byte for byte and in the
 * same order, and so is a failure: the error of the first environment (in environment order) that fails, as the
 * class it was thrown as. Each thread has its own module instances, so the emitter's and the charts' caches (and
 * the frozen shared objects they key) are per thread; environments reach a worker as a structured clone.
 *
 * Environments are handed out one at a time from a shared counter: a worker starts rendering as soon as it has
 * loaded (about 0.25 s of module loading, started before the environment files are parsed so that both overlap) and
 * the threads finish together whatever each one's speed.
 */

/** config/load, on the main thread only (see render.ts: a worker does without it and its schema library). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose
const load = () => require('./config/load') as typeof Load;

/** The worker script, compiled JS in every case: under jest (TypeScript sources), the built one in cdk8s/lib. */
export const RENDER_WORKER_SCRIPT = __filename.endsWith('.ts')
  ? resolve(__dirname, '..', 'lib', 'render-worker.js')
  : join(__dirname, 'render-worker.js');

/** A worker thread failed or went away before it had rendered what it took: a bug or a crash, never bad input. */
export class RenderWorkerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RenderWorkerError';
  }
}

/** Int32 slots of the shared control array: the next environment index to hand out, and "an environment failed". */
const NEXT = 0;
const FAILED = 1;

/** What one thread reports for one environment it took. */
export type RenderOutcome =
  | { readonly index: number; readonly files: ReadonlyMap<string, string> }
  | { readonly index: number; readonly error: unknown };

/**
 * Takes environment indices from `control` and renders them until none is left or one failed (anywhere); returns how
 * many this thread rendered. Each thread takes increasing indices and every index taken is rendered or fails, so
 * the first failure in environment order is always among those reported: the one a serial render meets.
 */
export function renderTaken(
  repoRoot: string,
  envs: readonly EnvironmentConfig[],
  control: Int32Array,
  report: (outcome: RenderOutcome) => void,
): number {
  let rendered = 0;
  while (Atomics.load(control, FAILED) === 0) {
    const index = Atomics.add(control, NEXT, 1);
    if (index >= envs.length) break;
    let files: Map<string, string>;
    try {
      files = renderEnvironment(repoRoot, envs[index]!, envs);
    } catch (error) {
      // an index taken after this one cannot matter any more: stop handing them out
      Atomics.store(control, FAILED, 1);
      report({ index, error });
      break;
    }
    rendered++;
    report({ index, files });
  }
  return rendered;
}

/** The main thread's message to a worker: what to render. */
export interface WorkerJob {
  readonly envs: readonly EnvironmentConfig[];
  readonly control: SharedArrayBuffer;
}

/** A worker's messages: one per environment it took, then `done`. */
export type WorkerMessage =
  | { readonly kind: 'rendered'; readonly index: number; readonly files: ReadonlyMap<string, string> }
  | { readonly kind: 'failed'; readonly index: number; readonly error: SerializedError }
  | { readonly kind: 'done'; readonly rendered: number };

/** An error as it crosses threads (structured clone keeps only built-in error classes, and not their own fields). */
export type SerializedError =
  | {
      readonly kind: 'error';
      readonly className: string;
      readonly name: string;
      readonly message: string;
      readonly stack: string | undefined;
      readonly fields: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'value'; readonly value: unknown };

/** The classes an error is revived as (by constructor name); any other error comes back as an Error. */
const ERROR_CLASSES: ReadonlyMap<string, { prototype: Error }> = new Map<string, { prototype: Error }>([
  ['EnvironmentConfigError', EnvironmentConfigError],
  ['EnvironmentXrError', EnvironmentXrError],
  ['XrPropsError', XrPropsError],
  ['RenderWorkerError', RenderWorkerError],
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
]);

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { kind: 'value', value: cloneable(error) ? error : String(error) };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) if (cloneable(value)) fields[key] = value;
  return {
    kind: 'error',
    className: error.constructor.name,
    name: error.name,
    message: error.message,
    stack: error.stack,
    fields,
  };
}

/**
 * The error `serializeError` saw, as its class (for the classes above: `instanceof` and the CLI's reporting work as
 * for the original), with its message, name, own fields and the stack where it was thrown (in the worker).
 */
export function reviveError(serialized: SerializedError): unknown {
  if (serialized.kind === 'value') return serialized.value;
  const cls = ERROR_CLASSES.get(serialized.className) ?? Error;
  const error = Object.create(cls.prototype) as Error;
  const hidden = (value: unknown) => ({ value, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(error, 'message', hidden(serialized.message));
  Object.defineProperty(error, 'stack', hidden(serialized.stack));
  Object.assign(error, serialized.fields);
  if (error.name !== serialized.name) Object.defineProperty(error, 'name', hidden(serialized.name));
  return error;
}

export interface ParallelRenderOptions {
  /**
   * How many threads (the main thread included) to render this many environment files with; 1 is renderAll on
   * the main thread, no worker. Never more threads than environments are used.
   */
  readonly threads: (environmentFiles: number) => number;
  /** Whether the main thread renders environments too (default true; tests send every one through the workers). */
  readonly renderOnMainThread?: boolean;
  /** The worker script (default RENDER_WORKER_SCRIPT; tests inject failing ones). */
  readonly workerScript?: string;
}

export interface ParallelRender {
  readonly trees: GeneratedTree[];
  /** How many environments each thread rendered: the main thread's first, then each worker's. */
  readonly rendered: readonly number[];
}

function environmentFileCount(repoRoot: string): number {
  try {
    return readdirSync(load().environmentsDir(repoRoot)).filter((f) => f.endsWith('.yaml')).length;
  } catch {
    return 0; // renderAll reports it
  }
}

interface RenderWorker {
  readonly worker: Worker;
  /** Resolves to how many environments it rendered once it is done; rejects with a RenderWorkerError. */
  readonly finished: Promise<number>;
}

function startWorker(
  id: number,
  count: number,
  script: string,
  repoRoot: string,
  report: (outcome: RenderOutcome) => void,
): RenderWorker {
  const worker = new Worker(script, { workerData: { repoRoot } });
  const finished = new Promise<number>((resolveFinished, reject) => {
    const fail = (what: string, cause?: unknown) =>
      reject(new RenderWorkerError(`render worker ${id} of ${count} ${what}`, { cause }));
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'rendered') report({ index: m.index, files: m.files });
      else if (m.kind === 'failed') report({ index: m.index, error: reviveError(m.error) });
      else resolveFinished(m.rendered);
    });
    worker.on('error', (err) =>
      fail(`failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, err),
    );
    worker.on('messageerror', (err) => fail(`sent a message that could not be read: ${err.message}`, err));
    worker.on('exit', (code) => fail(`exited (code ${code}) before it had rendered every environment it took`));
  });
  // awaited later, all together: a worker that fails meanwhile must not be an unhandled rejection
  finished.catch(() => undefined);
  return { worker, finished };
}

/**
 * renderAll(repoRoot) on `options.threads(number of environment files)` threads (see above). Waits for every
 * worker to finish or fail (a worker that crashes or exits ends the wait: never a hang), then terminates them.
 */
export async function renderAllParallel(repoRoot: string, options: ParallelRenderOptions): Promise<ParallelRender> {
  const fileCount = environmentFileCount(repoRoot);
  const threads = Math.max(1, Math.min(Math.floor(options.threads(fileCount)), fileCount));
  if (threads === 1) {
    const trees = renderAll(repoRoot);
    return { trees, rendered: [trees.length - 2] };
  }

  const envFiles: ReadonlyMap<string, string>[] = [];
  const errors = new Map<number, unknown>();
  const report = (o: RenderOutcome) => {
    if ('files' in o) envFiles[o.index] = o.files;
    else errors.set(o.index, o.error);
  };
  // Started first: their start-up overlaps with loading the environments.
  const script = options.workerScript ?? RENDER_WORKER_SCRIPT;
  const workers = Array.from({ length: threads - 1 }, (_, i) =>
    startWorker(i + 1, threads - 1, script, repoRoot, report),
  );
  try {
    const envs = load().loadEnvironments(repoRoot);
    const control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    const job: WorkerJob = { envs, control: control.buffer as SharedArrayBuffer };
    for (const { worker } of workers) worker.postMessage(job);
    const onMain = options.renderOnMainThread === false ? 0 : renderTaken(repoRoot, envs, control, report);

    const settled = await Promise.allSettled(workers.map((w) => w.finished));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    if (errors.size > 0) throw errors.get(Math.min(...errors.keys()));
    for (let i = 0; i < envs.length; i++) {
      if (envFiles[i] === undefined) throw new RenderWorkerError(`dist/${envs[i]!.name}: rendered by no thread`);
    }
    return {
      trees: completeTrees(envs, envFiles),
      rendered: [onMain, ...settled.map((s) => (s as PromiseFulfilledResult<number>).value)],
    };
  } finally {
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }
}
