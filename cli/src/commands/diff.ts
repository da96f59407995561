import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvironment } from '@metrics-platform/cdk8s/lib/config';
import type { Command } from './command';
import { parseFlags, required } from '../gitops/flags';
import { Git, repositoryRoot } from '../gitops/git';
import { checkEnvironment, distDir, envBranch, envFile, type RenderEnvironment } from '../gitops/env-branch';
import { cdk8sRenderer } from '../gitops/renderer';
import { replaceDirAtomic } from '../util/atomic';
import { CliError } from '../util/errors';

const usage = `usage: platform diff --env ENV [--base REV] [--exit-code]

Unified diff of dist/ENV/ between REV and what this working tree renders for ENV: the review preview of a
pull request (what Argo CD would change once it reaches env/ENV).

  --env ENV     environment (a file environments/ENV.yaml)
  --base REV    revision to compare with (default: origin/env/ENV if it exists, else env/ENV)
  --exit-code   exit 1 when there are differences (like git diff --exit-code)`;

/** The default base: the remote-tracking env branch if there is one, else the local one. */
function defaultBase(git: Git, env: string): string {
  for (const ref of [`refs/remotes/origin/${envBranch(env)}`, `refs/heads/${envBranch(env)}`]) {
    if (git.resolve(ref) !== undefined) return ref.replace(/^refs\/(remotes|heads)\//, '');
  }
  throw new CliError(
    `neither origin/${envBranch(env)} nor ${envBranch(env)} exists; expected one of them, or pass --base REV`,
  );
}

/** Unified diff of two file maps, labelled `a/<label>/...` and `b/<label>/...`; empty when equal. */
export function unifiedDiff(
  label: string,
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string {
  const tmp = mkdtempSync(join(tmpdir(), 'platform-diff-'));
  try {
    replaceDirAtomic(join(tmp, 'a', label), before);
    replaceDirAtomic(join(tmp, 'b', label), after);
    const res = new Git(tmp).try([
      'diff',
      '--no-index',
      '--no-color',
      '--no-ext-diff',
      '--src-prefix=',
      '--dst-prefix=',
      'a',
      'b',
    ]);
    if (res.code > 1) throw new CliError(`git diff failed: ${res.stderr.trim()}`);
    return res.stdout;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function diffCommand(
  render: () => RenderEnvironment = cdk8sRenderer,
  cwd: () => string = () => process.cwd(),
): Command {
  return {
    name: 'diff',
    summary: 'rendered-manifest diff of an environment against its branch (PR preview)',
    usage,
    async run(args) {
      const flags = parseFlags(
        args,
        { env: { type: 'string' }, base: { type: 'string' }, 'exit-code': { type: 'boolean' } },
        usage,
      );
      const root = repositoryRoot(cwd());
      const git = new Git(root);
      const env = checkEnvironment(root, required(flags, 'env', usage), '--env');
      const base = typeof flags.base === 'string' ? flags.base : defaultBase(git, env);
      const baseCommit = git.resolve(base);
      if (baseCommit === undefined)
        throw new CliError(`--base: got ${JSON.stringify(base)}; expected a revision that exists in this repository`);

      const config = parseEnvironment(envFile(env), readFileSync(join(root, envFile(env)), 'utf8'), env);
      const rendered = render()(root, config);
      const committed = git.tree(baseCommit, distDir(env));
      const patch = unifiedDiff(distDir(env), committed, rendered);
      if (patch === '') {
        process.stdout.write(`# ${distDir(env)}: no differences between ${base} and the working tree\n`);
        return 0;
      }
      process.stdout.write(`# ${distDir(env)}: ${base} (a/) -> working tree render (b/)\n${patch}`);
      return flags['exit-code'] === true ? 1 : 0;
    },
  };
}

export const diff = diffCommand();
