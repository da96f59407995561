import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../util/atomic';
import { findRepoRoot } from '../synth/repo-root';
import { commands } from '../commands/index';
import { resolveSchemasDir } from '../validate/index';
import { generatedPlatform, realPlatform, type BenchRepo } from './generated-platform';
import { linearFit, measure, type CommandSpec, type Sample } from './measure';

/**
 * `npm run bench:synth`: how long `platform synth` (compiled, plain node), `platform validate` and the two in a row
 * take for the real platform and generated platforms of 10 and 100 apps x 3 environments (`--full`: 10, 50, 100),
 * against the `cdk8s synth` CLI (ts-node, its upgrade check off) on the same inputs in the same run. The cdk8s CLI
 * takes 60-90 s a run at 100 x 3 (it grows faster than linearly), so by default it is measured on the real platform
 * and 10 x 3 only, and on every size with --full. Every figure is the median of --runs fresh processes (start-up
 * included: that is what a user waits for), with the peak RSS of the largest node process. A progress line follows
 * every run.
 */

const usage = `usage: npm run bench:synth -- [--runs N] [--sizes 10,100] [--baseline-max-apps N] [--full] [--no-baseline] [--json FILE] [--strict]

  --runs N                runs per measurement, median reported (default 3; the cdk8s baseline uses at most 3)
  --sizes LIST            generated platforms, in apps (each x 3 environments) (default 10,100)
  --baseline-max-apps N   measure the cdk8s synth baseline on generated platforms of at most N apps (default 10)
  --full                  --runs 5 --sizes 10,50,100 --baseline-max-apps 1000 (and the linear-growth fit), unless given
  --no-baseline           skip the cdk8s synth (ts-node) baseline
  --json FILE             also write the results as JSON
  --strict                exit 1 when a target is missed`;

const TARGETS = {
  realSynthMs: 1000,
  realValidateMs: 500,
  realSynthValidateMs: 3000,
  hundredAppsMs: 5000,
  hundredAppsValidateMs: 1000,
  hundredAppsSynthValidateMs: 3000,
  linearR2: 0.98,
} as const;

interface Row {
  readonly platform: string;
  readonly apps: number;
  readonly environments: number;
  readonly synth: Sample;
  readonly validate?: Sample;
  readonly synthValidate?: Sample;
  readonly cdk8s?: Sample;
}

function fail(message: string): never {
  process.stderr.write(`bench:synth: ${message}\n${usage}\n`);
  process.exit(2);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        runs: { type: 'string' },
        sizes: { type: 'string' },
        'baseline-max-apps': { type: 'string' },
        full: { type: 'boolean', default: false },
        'no-baseline': { type: 'boolean', default: false },
        json: { type: 'string' },
        strict: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  const runsFlag = values.runs ?? (values.full ? '5' : '3');
  const runs = Number(runsFlag);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) fail(`--runs: got ${JSON.stringify(runsFlag)}; expected 1..50`);
  const sizesFlag = values.sizes ?? (values.full ? '10,50,100' : '10,100');
  const sizes = sizesFlag.split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 1000)) {
    fail(`--sizes: got ${JSON.stringify(sizesFlag)}; expected comma-separated integers 1..1000`);
  }
  const maxFlag = values['baseline-max-apps'] ?? (values.full ? '1000' : '10');
  const baselineMaxApps = Number(maxFlag);
  if (!/^[0-9]+$/.test(maxFlag) || baselineMaxApps > 1000) {
    fail(`--baseline-max-apps: got ${JSON.stringify(maxFlag)}; expected an integer 0..1000`);
  }
  return {
    runs,
    sizes,
    full: values.full,
    baseline: !values['no-baseline'],
    baselineMaxApps,
    json: values.json,
    strict: values.strict,
  };
}

function main(): void {
  const opts = options();
  const repoRoot = findRepoRoot(__dirname);
  const node = process.execPath;
  const platform = join(repoRoot, 'cli', 'lib', 'bin', 'platform.js');
  const cdk8sCli = join(repoRoot, 'node_modules', '.bin', 'cdk8s');
  const schemas = validateSchemas(repoRoot);

  const synthStep = (r: BenchRepo): CommandSpec => ({
    argv: [node, platform, 'synth', '--root', r.root],
    cwd: r.root,
    timeoutMs: 120_000,
  });
  const validateStep = (r: BenchRepo): CommandSpec => ({
    argv: [node, platform, 'validate', '--schemas', schemas.dir!],
    cwd: r.root,
    timeoutMs: 300_000,
  });
  // the upgrade check asks a registry on every run: off, so the baseline times synthesis only
  const cdk8sStep = (r: BenchRepo): CommandSpec => ({
    argv: [cdk8sCli, 'synth', '--no-check-upgrade'],
    cwd: r.root,
    timeoutMs: 600_000,
  });

  const bench = (name: string, apps: number, repo: BenchRepo): Row => {
    const progress = (what: string, runs: number) => {
      process.stderr.write(`bench:synth: ${name}: ${what}, ${runs} runs...\n`);
      return (run: number, s: Sample) =>
        process.stderr.write(`bench:synth: ${name}: ${what} run ${run}/${runs}: ${ms(s.ms)}\n`);
    };
    process.stderr.write(`bench:synth: ${name} (${repo.environments} environments)\n`);
    try {
      // synth, then validate of what it wrote: both alone and their sum, from the same runs
      const steps = schemas.dir !== undefined ? [synthStep(repo), validateStep(repo)] : [synthStep(repo)];
      const both = measure(steps, opts.runs, progress(steps.length > 1 ? 'synth + validate' : 'synth', opts.runs));
      const synth = both.steps[0]!;
      const validate = both.steps[1];
      const synthValidate = validate !== undefined ? both : undefined;
      const baselineRuns = Math.min(opts.runs, 3);
      const cdk8s =
        opts.baseline && (name === 'real' || apps <= opts.baselineMaxApps)
          ? measure([cdk8sStep(repo)], baselineRuns, progress('cdk8s synth (ts-node)', baselineRuns))
          : undefined;
      return { platform: name, apps, environments: repo.environments, synth, validate, synthValidate, cdk8s };
    } finally {
      rmSync(repo.root, { recursive: true, force: true });
    }
  };

  const rows: Row[] = [bench('real', 1, realPlatform(repoRoot))];
  for (const apps of opts.sizes) rows.push(bench(`${apps} apps x 3 envs`, apps, generatedPlatform(repoRoot, apps)));

  const generated = rows.slice(1);
  // Fitted on CPU time: wall time on a machine shared with other work is too noisy to judge a curve's shape.
  // (two points always fit a line: it takes three to tell)
  const fit = generated.length >= 3 ? linearFit(generated.map((r) => [r.environments, r.synth.cpuMs])) : undefined;
  const real = rows[0]!;
  const hundred = rows.find((r) => r.apps === 100 && r.platform !== 'real');
  const targets: [string, boolean | undefined, string][] = [
    ['real platform synth < 1 s', real.synth.ms < TARGETS.realSynthMs, ms(real.synth.ms)],
    [
      'real platform validate < 0.5 s',
      real.validate && real.validate.ms < TARGETS.realValidateMs,
      real.validate ? ms(real.validate.ms) : (schemas.why ?? 'not run'),
    ],
    [
      'real platform synth + validate < 3 s',
      real.synthValidate && real.synthValidate.ms < TARGETS.realSynthValidateMs,
      real.synthValidate ? ms(real.synthValidate.ms) : (schemas.why ?? 'not run'),
    ],
    [
      '100 apps x 3 envs synth < 5 s',
      hundred && hundred.synth.ms < TARGETS.hundredAppsMs,
      hundred ? ms(hundred.synth.ms) : 'not run',
    ],
    [
      '100 apps x 3 envs validate < 1 s',
      hundred?.validate && hundred.validate.ms < TARGETS.hundredAppsValidateMs,
      hundred?.validate ? ms(hundred.validate.ms) : 'not run',
    ],
    [
      '100 apps x 3 envs synth + validate < 3 s',
      hundred?.synthValidate && hundred.synthValidate.ms < TARGETS.hundredAppsSynthValidateMs,
      hundred?.synthValidate ? ms(hundred.synthValidate.ms) : 'not run',
    ],
    [
      `linear growth (R² of synth CPU time vs environments >= ${TARGETS.linearR2})`,
      fit && fit.r2 >= TARGETS.linearR2,
      fit
        ? `R² ${fit.r2.toFixed(4)}, ${fit.slope.toFixed(1)} ms per environment + ${ms(fit.intercept)} fixed`
        : 'needs 3 sizes (--full)',
    ],
  ];

  const out: string[] = [];
  const noBaseline = opts.baseline ? `not run (>${opts.baselineMaxApps} apps: --full)` : 'not run (--no-baseline)';
  out.push(
    `# bench:synth (${opts.full ? '--full' : 'default run; --full adds 50 apps and the cdk8s baseline on every size'}; node ${process.version}, median of ${opts.runs} runs, cdk8s baseline median of ${Math.min(opts.runs, 3)})`,
    '',
    'Each row is one platform; every figure in a row is for that platform (its environments, same inputs for both sides):',
    '"real" is a copy of environments/, "N apps x 3 envs" is N copies of each of its environment files, each its own app.',
    'synth = `node cli/lib/bin/platform.js synth`, validate = `platform validate` of what it wrote, synth + validate = both',
    'in a row (medians of the same runs), cdk8s synth = the cdk8s CLI (`cdk8s synth --no-check-upgrade`, ts-node) on the',
    'same repository, cdk8s / synth = the ratio of their medians; fresh processes, start-up included.',
    '',
  );
  out.push(
    '| platform | envs | synth | synth CPU | validate | synth + validate | cdk8s synth (ts-node) | cdk8s / synth | synth per env | peak RSS synth | peak RSS validate | peak RSS cdk8s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of rows) {
    out.push(
      `| ${r.platform} | ${r.environments} | ${ms(r.synth.ms)} | ${ms(r.synth.cpuMs)} | ${r.validate ? ms(r.validate.ms) : 'n/a'} | ${r.synthValidate ? ms(r.synthValidate.ms) : 'n/a'} | ${r.cdk8s ? ms(r.cdk8s.ms) : noBaseline} | ${
        r.cdk8s ? `${(r.cdk8s.ms / r.synth.ms).toFixed(1)}x` : 'n/a'
      } | ${(r.synth.ms / r.environments).toFixed(1)} ms | ${mib(r.synth)} | ${r.validate ? mib(r.validate) : 'n/a'} | ${r.cdk8s ? mib(r.cdk8s) : 'n/a'} |`,
    );
  }
  out.push('', '| target | result | measured |', '|---|---|---|');
  for (const [what, ok, measured] of targets)
    out.push(`| ${what} | ${ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS'} | ${measured} |`);
  process.stdout.write(out.join('\n') + '\n');

  if (opts.json !== undefined) {
    writeFileAtomic(
      opts.json,
      JSON.stringify({ node: process.version, runs: opts.runs, rows, fit, targets }, null, 2) + '\n',
    );
  }
  if (opts.strict && targets.some(([, ok]) => ok === false)) process.exitCode = 1;
}

/**
 * Where `platform validate` finds the pinned schemas (the generated repositories live in a temp dir, away from
 * `../shared/schemas`), or why synth + validate cannot be measured here.
 */
function validateSchemas(repoRoot: string): { dir?: string; why?: string } {
  if (!Object.prototype.hasOwnProperty.call(commands, 'validate')) return { why: 'no validate command' };
  try {
    return { dir: resolveSchemasDir({ repoRoot }) };
  } catch (err) {
    return { why: (err as Error).message };
  }
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

function mib(s: Sample): string {
  return `${Math.round(s.peakRssMiB)} MiB`;
}

main();
