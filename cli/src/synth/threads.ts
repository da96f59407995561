import { availableParallelism } from 'node:os';
import { UsageError } from '../util/errors';

/** Forces how many threads `platform synth` renders environments on (the main thread included). */
export const THREADS_VARIABLE = 'PLATFORM_SYNTH_THREADS';
export const MAX_THREADS = 64;

/**
 * Automatic choice: a worker thread only when every thread gets at least this many environments. A worker costs
 * about 0.3 s of CPU before it renders anything (loading cdk8s, then its first, cold renders), hidden behind the main
 * thread's parsing of the environment files only when there are many; one environment takes 5-7 ms once warm.
 * MEASURED_THRESHOLD
 */
export const MIN_ENVIRONMENTS_PER_THREAD = 30;
/**
 * At most this many threads by default (more only when forced): the main thread's own share (start-up, parsing every
 * environment file, crossplane/ and argocd/apps/, writing) does not shrink with more threads, and each worker costs
 * its start-up CPU and its own heap.
 */
export const MAX_AUTO_THREADS = 4;

/** PLATFORM_SYNTH_THREADS as a thread count; undefined when unset or empty (automatic). */
export function forcedThreads(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[THREADS_VARIABLE];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || n < 1 || n > MAX_THREADS) {
    throw new UsageError(
      `${THREADS_VARIABLE}: got ${JSON.stringify(raw)}; expected an integer 1..${MAX_THREADS} (threads rendering environments, the main thread included), or unset for automatic`,
    );
  }
  return n;
}

/**
 * Threads to render `environments` environments with: `forced` when given (never more than one per environment),
 * else one per MIN_ENVIRONMENTS_PER_THREAD environments, at most one per core and MAX_AUTO_THREADS.
 */
export function renderThreads(
  environments: number,
  forced: number | undefined,
  cores: number = availableParallelism(),
): number {
  const wanted = forced ?? Math.min(cores, MAX_AUTO_THREADS, Math.floor(environments / MIN_ENVIRONMENTS_PER_THREAD));
  return Math.max(1, Math.min(wanted, environments));
}
