import { availableParallelism } from 'node:os';
import { UsageError } from '../util/errors';

/** Forces how many threads `platform synth` renders environments on (the main thread included). */
export const THREADS_VARIABLE = 'PLATFORM_SYNTH_THREADS';
export const MAX_THREADS = 64;

/**
 * Automatic choice: a worker thread only when every thread gets at least this many environments (from 200 on 2
 * cores; the real platform, 3, never starts one). A worker costs 0.4-0.9 s of CPU before and besides its share
 * (loading cdk8s, its own cold first renders and JIT, its heap), which pays only when the shares are large: on this
 * 2-core machine, loaded (load average 8-11, 2026-11-30; `platform synth --check`, medians of 5 interleaved runs),
 * 2 threads were slower than 1 at 30, 60, 90 and 150 environments (+0.5 to +1.0 s wall) and only level or faster
 * at 300 (4.46 s against 4.66 s, +0.9 s CPU); less loaded (load average about 2), 60 environments took 854 ms on 1
 * thread and 1074 ms on 2, 150 1.42 / 1.36 s, 300 2.10 / 2.07 s. PLATFORM_SYNTH_THREADS forces a count.
 */
export const MIN_ENVIRONMENTS_PER_THREAD = 100;
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
