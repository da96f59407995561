import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from './command';
import type * as Synth from '../synth/index';
import type { TreeResult } from '../synth/index';
import { forcedThreads, THREADS_VARIABLE } from '../synth/threads';
import { CliError, UsageError, oneLine } from '../util/errors';
import { checkWritableDir } from '../util/writable-dir';

const usage = `usage: platform synth [--env ENV] [--check] [--out DIR] [--root DIR]

Renders every environment (environments/<env>.yaml) into dist/<env>/, plus the crossplane/ and argocd/apps/
trees. Writes only the trees that changed, crash-safe: a failed or killed synth leaves each tree wholly old or
wholly new, and the next synth completes an interrupted one and deletes its leftovers. Prints objects per tree
and kind, then what it did to each tree (wrote, unchanged, removed).

  --env ENV   render only dist/ENV (one of the files in environments/)
  --check     write nothing (but complete an interrupted synth); exit 1 and print a unified diff if committed
              files differ from the sources or an interrupted synth left files behind
  --out DIR   write the trees under DIR instead of the repository (e.g. to inspect a change)
  --root DIR  repository root (default: found from the working directory)

Environment:
  PLATFORM_SYNTH_THREADS=N  render the environments on N threads, the main thread included (1..64; default: one
              per 100 environments, at most one per core and 4: fewer than 200 render on the main thread alone)`;

interface SynthFlags {
  readonly env?: string;
  readonly check: boolean;
  readonly out?: string;
  readonly root?: string;
}

function parseFlags(args: readonly string[]): SynthFlags {
  let values: { env?: string; check?: boolean; out?: string; root?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        env: { type: 'string' },
        check: { type: 'boolean', default: false },
        out: { type: 'string' },
        root: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
  for (const flag of ['env', 'out', 'root'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag}: got ""; expected a non-empty value`);
  }
  if (values.check === true && values.out !== undefined) {
    throw new UsageError('--check compares the repository with the sources and writes nothing; drop --out');
  }
  // Checked before rendering: a file, /proc or a read-only path fails at once, not midway through writing.
  const out = values.out !== undefined ? checkWritableDir(values.out, '--out') : undefined;
  return { env: values.env, check: values.check === true, out, root: values.root };
}

export const synth: Command = {
  name: 'synth',
  summary: 'render every environment into dist/<env>/ (and crossplane/, argocd/apps/)',
  usage,
  async run(args) {
    const flags = parseFlags(args);
    const threads = forcedThreads(process.env);
    // Loaded here, not at the top: `platform --help` must not pay for cdk8s.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see commands/index.ts
    const s = require('../synth/index') as typeof Synth;
    const root = flags.root !== undefined ? resolve(flags.root) : s.findRepoRoot();
    const outRoot = flags.out !== undefined ? resolve(flags.out) : root;
    // Before anything else: a synth killed mid-swap left a journal; complete it so every tree is whole again.
    for (const dir of s.recover(outRoot)) {
      process.stderr.write(`synth: completed ${dir}/ from an interrupted synth's journal\n`);
    }
    let trees;
    try {
      trees = await s.renderTreesOnThreads(root, { env: flags.env, threads });
    } catch (err) {
      if (err instanceof s.RenderWorkerError) {
        throw new CliError(`${oneLine(err.message)}; ${THREADS_VARIABLE}=1 renders on the main thread alone`);
      }
      if (err instanceof s.EnvironmentConfigError) {
        throw flags.env !== undefined && err.message.startsWith('--env:')
          ? new UsageError(oneLine(err.message))
          : new CliError(oneLine(err.message));
      }
      throw err;
    }

    if (flags.check) {
      const drifts = s.compareTrees(root, trees);
      const strays = s.findStrays(root);
      const foreign = s.findForeignFiles(root);
      if (drifts.length === 0 && strays.length === 0 && foreign.length === 0) {
        process.stdout.write(`synth --check: ${trees.map((t) => t.dir).join(', ')} match the sources\n`);
        return 0;
      }
      for (const d of drifts) process.stdout.write(d.diff);
      const lines = [
        ...drifts.map((d) => `  ${d.kind.padEnd(7)} ${d.file}\n`),
        ...strays.map((f) => `  ${'stray'.padEnd(7)} ${f} (left by an interrupted synth)\n`),
        ...foreign.map((f) => `  ${'foreign'.padEnd(7)} ${f} (not generated: dist/ holds only dist/<env>/ trees)\n`),
      ];
      process.stderr.write(
        `synth --check: ${lines.length} generated file(s) differ from the sources or were left behind:\n` +
          lines.join('') +
          "Run 'npm run synth' and commit the result.\n",
      );
      return 1;
    }

    const report = s.writeTrees(outRoot, trees);
    for (const f of report.strays) process.stderr.write(`synth: removed ${f} (left by an interrupted synth)\n`);
    for (const f of report.foreign)
      process.stderr.write(`synth: removed ${f} (not generated: dist/ holds only dist/<env>/ trees)\n`);
    process.stdout.write(s.formatTable(s.countObjects(trees.filter((t) => t.files.size > 0))) + '\n');
    process.stdout.write(
      report.trees
        .map(describe)
        .filter((line) => line !== '')
        .join('\n') + '\n',
    );
    return 0;
  },
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describe(t: TreeResult): string {
  switch (t.status) {
    case 'unchanged':
      return `unchanged ${t.dir}/ (${plural(t.files, 'file')})`;
    case 'removed':
      return `removed ${t.dir}/ (no environment file describes it)`;
    case 'absent':
      return '';
    case 'written': {
      const parts = [
        t.added > 0 ? `${t.added} added` : '',
        t.changed > 0 ? `${t.changed} changed` : '',
        t.deleted > 0 ? `${t.deleted} deleted` : '',
      ].filter((p) => p !== '');
      return `wrote ${t.dir}/ (${plural(t.files, 'file')}: ${parts.join(', ')})`;
    }
  }
}
