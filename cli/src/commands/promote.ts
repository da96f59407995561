import type { Command } from './command';
import { checkDigest, checkPositiveInt, checkRemote, parseFlags, required } from '../gitops/flags';
import { Git, repositoryRoot } from '../gitops/git';
import {
  readBranchTip,
  checkEnvironment,
  envBranch,
  envFile,
  readEnvironmentAt,
  updateEnvironmentPin,
  type RenderEnvironment,
  type Trailers,
} from '../gitops/env-branch';
import { imageReference, imageReferencesIn } from '../gitops/pin';
import { cdk8sRenderer } from '../gitops/renderer';
import { CliError, UsageError } from '../util/errors';

const usage = `usage: platform promote --from ENV --to ENV [--digest sha256:HEX] [--push REMOTE] [--max-attempts N]

Copies the image that env/FROM runs (tag and digest, no rebuild) to env/TO, as one commit with trailers
Promoted-From, Image-Digest and the Source-Commit of FROM's pin. Refuses when FROM's rendered dist/FROM/
does not run its own pin, or when --digest is given and is not what FROM runs.

  --from ENV           environment to promote from (its branch env/FROM)
  --to ENV             environment to promote to (its branch env/TO)
  --digest sha256:HEX  assert the digest being promoted (refused unless FROM runs exactly this)
  --push REMOTE        read env/FROM from and push env/TO to REMOTE, retrying a lost race like bump
  --max-attempts N     push attempts before giving up (default 10)`;

/** What an env branch runs, checked: its pin and every rendered reference to its repository agree. */
export function runningImage(git: Git, rev: string, env: string): { tag: string; digest: string; reference: string } {
  const { config, dist } = readEnvironmentAt(git, rev, env);
  const expected = imageReference(config.app.image);
  const refs = imageReferencesIn(dist, config.app.image.repository);
  const wrong = [...refs].flatMap(([file, list]) => list.filter((r) => r !== expected).map((r) => `${file}: ${r}`));
  if (refs.size === 0 || wrong.length > 0) {
    throw new CliError(
      `env/${env} (${rev.slice(0, 12)}) does not run its pin: ${envFile(env)} says ${expected} but dist/${env}/ ` +
        `${refs.size === 0 ? 'has no image of that repository' : `has ${wrong.join(', ')}`}; refusing to promote what ${env} does not run ` +
        `(re-render env/${env} first)`,
    );
  }
  return { tag: config.app.image.tag, digest: config.app.image.digest, reference: expected };
}

export function promoteCommand(
  render: () => RenderEnvironment = cdk8sRenderer,
  cwd: () => string = () => process.cwd(),
): Command {
  return {
    name: 'promote',
    summary: 'copy the exact image one environment runs to another: one commit, no rebuild',
    usage,
    async run(args) {
      const flags = parseFlags(
        args,
        {
          from: { type: 'string' },
          to: { type: 'string' },
          digest: { type: 'string' },
          push: { type: 'string' },
          'max-attempts': { type: 'string' },
        },
        usage,
      );
      const root = repositoryRoot(cwd());
      const git = new Git(root);
      const from = checkEnvironment(root, required(flags, 'from', usage), '--from');
      const to = checkEnvironment(root, required(flags, 'to', usage), '--to');
      if (from === to)
        throw new UsageError(`--to: got ${JSON.stringify(to)}; expected an environment other than --from`);
      const asserted = typeof flags.digest === 'string' ? checkDigest(flags.digest) : undefined;
      const remote = typeof flags.push === 'string' ? checkRemote(git, flags.push) : undefined;
      const maxAttempts =
        typeof flags['max-attempts'] === 'string' ? checkPositiveInt(flags['max-attempts'], '--max-attempts', 100) : 10;

      const source = await readBranchTip(git, from, remote);
      const sourceTip = source.tip;
      const running = runningImage(git, sourceTip, from);
      if (asserted !== undefined && asserted !== running.digest) {
        throw new CliError(
          `--digest: got ${asserted}; expected the digest env/${from} runs (${running.digest}): refusing to promote what ${from} does not run`,
        );
      }
      const sourceCommit = git
        .run([
          'log',
          '-1',
          '--format=%(trailers:key=Source-Commit,valueonly,separator=%x2C)',
          sourceTip,
          '--',
          envFile(from),
        ])
        .trim();
      const trailers: Trailers = [
        ...(sourceCommit !== '' ? ([['Source-Commit', sourceCommit]] as const) : []),
        ['Image-Digest', running.digest],
        ['Promoted-From', `${from}@${sourceTip}`],
      ];
      const result = await updateEnvironmentPin({
        repoRoot: root,
        env: to,
        pin: { tag: running.tag, digest: running.digest },
        subject: `promote(${to}): ${running.tag} from ${from}`,
        trailers,
        remote,
        maxAttempts,
        render: render(),
        log: (line) => process.stderr.write(`platform promote: ${line}\n`),
      });
      const target = remote === undefined ? envBranch(to) : `${remote}/${envBranch(to)}`;
      if (result.outcome === 'unchanged') {
        process.stdout.write(
          `${target} already runs ${running.tag}@${running.digest} (as ${from} does); nothing to commit\n`,
        );
      } else {
        process.stdout.write(
          `${target}: ${result.previous.tag} -> ${running.tag} (${running.digest}) from ${from} in ${result.commit}\n`,
        );
      }
      return 0;
    },
  };
}

export const promote = promoteCommand();
