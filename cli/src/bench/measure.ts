import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One timed run of a command: wall time, CPU time (user + system of every node process it started: steadier than
 * wall time on a shared machine) and the largest resident set of any of those processes.
 */
export interface Sample {
  readonly ms: number;
  readonly cpuMs: number;
  readonly peakRssMiB: number;
}

/** Preloaded into every node process of a run (NODE_OPTIONS): records its peak RSS and CPU time when it exits. */
const RSS_RECORDER = `'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
process.on('exit', () => {
  try {
    const u = process.resourceUsage();
    writeFileSync(join(process.env.BENCH_RSS_DIR, process.pid + '.rss'), u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime));
  } catch {}
});
`;

let recorder: string | undefined;
function recorderPath(): string {
  if (recorder === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-rss-recorder-'));
    recorder = join(dir, 'record-rss.js');
    writeFileSync(recorder, RSS_RECORDER);
    // the benchmark leaves nothing in the temp dir
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return recorder;
}

export interface CommandSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Upper bound for one run; the run fails beyond it (benchmarks must terminate). */
  readonly timeoutMs: number;
}

/** Runs `spec` once; throws with its output if it fails. */
export function runOnce(spec: CommandSpec): Sample {
  const rssDir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync(spec.argv[0]!, spec.argv.slice(1), {
      cwd: spec.cwd,
      encoding: 'utf8',
      timeout: spec.timeoutMs,
      env: {
        ...process.env,
        BENCH_RSS_DIR: rssDir,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${recorderPath()}`.trim(),
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
      throw new Error(
        `${spec.argv.join(' ')} (in ${spec.cwd}) failed with ${result.status ?? result.signal ?? result.error?.message}:\n${result.stdout}${result.stderr}`,
      );
    }
    // "<max RSS KiB> <CPU µs>" per process
    const records = readdirSync(rssDir).map((f) => readFileSync(join(rssDir, f), 'utf8').split(' ').map(Number));
    return {
      ms,
      cpuMs: records.reduce((a, r) => a + (r[1] ?? 0), 0) / 1000,
      peakRssMiB: Math.max(0, ...records.map((r) => r[0] ?? 0)) / 1024,
    };
  } finally {
    rmSync(rssDir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The medians of a measurement: the steps summed per run, and each step alone. */
export interface Measurement extends Sample {
  readonly steps: Sample[];
}

function medianSample(samples: readonly Sample[]): Sample {
  return {
    ms: median(samples.map((s) => s.ms)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    peakRssMiB: median(samples.map((s) => s.peakRssMiB)),
  };
}

/**
 * Runs each command of `steps` in sequence, `runs` times; the medians of the summed time and of the peak RSS, and of
 * each step. `onRun` hears of every finished run (progress for the person waiting).
 */
export function measure(
  steps: readonly CommandSpec[],
  runs: number,
  onRun: (run: number, sample: Sample) => void = () => undefined,
): Measurement {
  const samples: Sample[] = [];
  const perStep: Sample[][] = steps.map(() => []);
  for (let i = 0; i < runs; i++) {
    const parts = steps.map(runOnce);
    parts.forEach((p, j) => perStep[j]!.push(p));
    const sample = {
      ms: parts.reduce((a, p) => a + p.ms, 0),
      cpuMs: parts.reduce((a, p) => a + p.cpuMs, 0),
      peakRssMiB: Math.max(...parts.map((p) => p.peakRssMiB)),
    };
    samples.push(sample);
    onRun(i + 1, sample);
  }
  return { ...medianSample(samples), steps: perStep.map(medianSample) };
}

/** Least-squares fit of y = a + b x and its coefficient of determination. */
export function linearFit(points: readonly [number, number][]): { intercept: number; slope: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  const ssTot = points.reduce((a, [, y]) => a + (y - my) ** 2, 0);
  const ssRes = points.reduce((a, [x, y]) => a + (y - (intercept + slope * x)) ** 2, 0);
  return { intercept, slope, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot };
}
