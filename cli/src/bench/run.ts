import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../synth/repo-root';

/**
 * `npm run bench` (`bench:metrics`, `bench:synth`): runs the benchmarks as child processes, passing their output
 * through, and makes sure the person waiting hears from it at least every TICK_MS: when a child has been silent
 * that long (one long run, e.g. `cdk8s synth` at 100 apps x 3 environments), a line says what is still running and
 * what it last said. Ends with the wall time of each benchmark and of the whole run, and the machine's load.
 *
 *   node cli/lib/bench/run.js [metrics|synth|all] [--full] [more options for bench:synth]
 */

const usage = `usage: node cli/lib/bench/run.js [all|metrics|synth] [--full] [bench:synth options]
  all (default)  bench:metrics, then bench:synth
  --full         the long runs of both: see docs/app.md#benchmark and docs/cdk8s.md#performance`;

/** At most this long without a line from the benchmark (the target is a line at least every 10 s). */
export const TICK_MS = 9_000;

export interface Bench {
  readonly name: string;
  readonly argv: readonly string[];
}

export function benches(repoRoot: string, args: readonly string[]): Bench[] {
  const [first, ...rest] = args;
  const which = first === 'all' || first === 'metrics' || first === 'synth' ? first : undefined;
  const options = which === undefined ? args : rest;
  const full = options.includes('--full');
  const metrics: Bench = {
    name: 'bench:metrics',
    argv: [join(repoRoot, 'app', 'lib', 'bench', 'metrics.js'), ...(full ? ['--full'] : [])],
  };
  const synth: Bench = { name: 'bench:synth', argv: [join(repoRoot, 'cli', 'lib', 'bench', 'synth.js'), ...options] };
  if (which === 'metrics') {
    const unknown = options.find((o) => o !== '--full');
    if (unknown !== undefined)
      throw new Error(`bench:metrics: unknown option ${JSON.stringify(unknown)}; expected --full`);
    return [metrics];
  }
  if (which === 'synth') return [synth];
  const unknown = options.find((o) => o !== '--full');
  if (unknown !== undefined) {
    throw new Error(
      `unknown option ${JSON.stringify(unknown)}; expected --full (options of one benchmark go to bench:metrics or bench:synth)`,
    );
  }
  return [metrics, synth];
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Runs one benchmark, passing its output through; a line on stderr whenever it has been silent for tickMs. */
export function runWithTicker(
  bench: Bench,
  tickMs: number,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<{ code: number; ms: number }> {
  const started = performance.now();
  let lastLineAt = started;
  let lastLine = '(nothing yet)';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, bench.argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const follow = (stream: NodeJS.ReadableStream, to: NodeJS.WritableStream) => {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        to.write(chunk);
        rest += chunk;
        const lines = rest.split('\n');
        rest = lines.pop() ?? '';
        const last = lines.filter((l) => l.trim() !== '').pop();
        if (last !== undefined) {
          lastLine = last.length > 160 ? `${last.slice(0, 157)}...` : last;
          lastLineAt = performance.now();
        } else if (lines.length > 0) lastLineAt = performance.now();
      });
    };
    follow(child.stdout, out);
    follow(child.stderr, err);
    const ticker = setInterval(
      () => {
        const now = performance.now();
        if (now - lastLineAt < tickMs) return;
        err.write(
          `${bench.name}: still running (${seconds(now - started)} in); its last line, ${seconds(now - lastLineAt)} ago: ${lastLine}\n`,
        );
        lastLineAt = now;
      },
      Math.min(1000, tickMs / 4),
    );
    child.on('error', (e) => {
      clearInterval(ticker);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(ticker);
      resolve({ code: code ?? (signal ? 128 : 1), ms: performance.now() - started });
    });
  });
}

async function main(): Promise<void> {
  let list: Bench[];
  try {
    list = benches(findRepoRoot(__dirname), process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${usage}\n`);
    process.exit(2);
  }
  const began = performance.now();
  const loadBefore = loadavg();
  const took: string[] = [];
  for (const bench of list) {
    const { code, ms } = await runWithTicker(bench, TICK_MS);
    took.push(`${bench.name} ${seconds(ms)}`);
    if (code !== 0) {
      process.stderr.write(`bench: ${bench.name} failed (exit ${code})\n`);
      process.exitCode = code;
      return;
    }
    process.stdout.write('\n');
  }
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  process.stdout.write(
    `Wall time: ${seconds(performance.now() - began)} (${took.join(', ')}); node ${process.version}, ` +
      `load average ${load(loadBefore)} at the start, ${load(loadavg())} at the end\n`,
  );
}

if (require.main === module) void main();
