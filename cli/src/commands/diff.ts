import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvironment, type EnvironmentConfig } from '@metrics-platform/cdk8s/lib/config';
import type { Command } from './command';
import { parseFlags, required } from '../gitops/flags';
import { Git, repositoryRoot } from '../gitops/git';
import {
  checkEnvironment,
  distDir,
  envBranch,
  envFile,
  parseEnvironmentOn,
  type RenderEnvironment,
} from '../gitops/env-branch';
import { samePin, type PinTarget } from '../gitops/pin';
import { cdk8sRenderer } from '../gitops/renderer';
import { replaceDirAtomic } from '../util/atomic';
import { CliError } from '../util/errors';

const usage = `usage: platform diff --env ENV [--base REV] [--exit-code]

Unified diff of dist/ENV/ between REV and what this working tree renders for ENV with REV's image pin (a
merge of main keeps the branch's pin): the review preview of a pull request, what merging it into env/ENV
would change. A '# image pin:' line says when the pins differ.

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

const pinText = (p: PinTarget) => `${p.tag}@${p.digest}`;

/**
 * The working tree's config as merging it into the env branch would leave it. The pin lines merge like any lines:
 * the branch moves its pin by bump and promote, so unless main changed its own pin lines since it was last merged
 * there, the merge keeps the branch's pin, and the render uses it (no image rollbacks in the preview). Notes say
 * when the pins differ, and what the merge does with them.
 */
function asMerged(
  git: Git,
  base: string,
  baseCommit: string,
  env: string,
  config: EnvironmentConfig,
): { config: EnvironmentConfig; notes: string[] } {
  const branchText = git.show(baseCommit, envFile(env));
  if (branchText === undefined) return { config, notes: [] };
  const branchPin = parseEnvironmentOn(`${envFile(env)} (at ${base})`, branchText, env).app.image;
  const ours = config.app.image;
  if (samePin(ours, branchPin)) return { config, notes: [] };

  const mergeBase = git.try(['merge-base', 'HEAD', baseCommit]).stdout.trim();
  const mergeBaseText = mergeBase === '' ? undefined : git.show(mergeBase, envFile(env));
  let before: PinTarget | undefined;
  try {
    before = mergeBaseText === undefined ? undefined : parseEnvironment(envFile(env), mergeBaseText, env).app.image;
  } catch {
    before = undefined; // an invalid file in history says nothing about the pin lines
  }
  const pins = `image pin: ${base} runs ${pinText(branchPin)}, the working tree has ${pinText(ours)}`;
  if (before !== undefined && samePin(before, branchPin)) {
    // only main moved the pin since the last merge: the merge takes main's pin
    return {
      config,
      notes: [`${pins}; main changed it since its last merge into ${base}, so the merge changes it too`],
    };
  }
  const notes = [`${pins}; a merge keeps ${base}'s (bump or promote changes it), so the render below uses it`];
  if (before !== undefined && !samePin(before, ours)) {
    notes.push(
      `main also changed the pin lines since its last merge into ${base} (from ${pinText(before)}): that merge will conflict on them`,
    );
  }
  const image = { ...ours, tag: branchPin.tag, digest: branchPin.digest };
  return { config: { ...config, app: { ...config.app, image } }, notes };
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

      const text = readFileSync(join(root, envFile(env)), 'utf8');
      const { config, notes } = asMerged(git, base, baseCommit, env, parseEnvironmentOn(envFile(env), text, env));
      const rendered = render()(root, config);
      const committed = git.tree(baseCommit, distDir(env));
      const patch = unifiedDiff(distDir(env), committed, rendered);
      const notesText = notes.map((n) => `# ${n}\n`).join('');
      if (patch === '') {
        process.stdout.write(`# ${distDir(env)}: no differences between ${base} and the working tree\n${notesText}`);
        return 0;
      }
      process.stdout.write(`# ${distDir(env)}: ${base} (a/) -> working tree render (b/)\n${notesText}${patch}`);
      return flags['exit-code'] === true ? 1 : 0;
    },
  };
}

export const diff = diffCommand();
