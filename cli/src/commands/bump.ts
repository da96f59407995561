import type { Command } from './command';
import {
  checkCommitSha,
  checkDigest,
  checkPositiveInt,
  checkRemote,
  checkTag,
  parseFlags,
  required,
} from '../gitops/flags';
import { Git, repositoryDirs } from '../gitops/git';
import { checkEnvironment, envBranch, updateEnvironmentPin, type RenderEnvironment } from '../gitops/env-branch';
import { cdk8sRenderer } from '../gitops/renderer';

const usage = `usage: platform bump --env ENV --tag TAG --digest sha256:HEX [--source-commit SHA] [--push REMOTE] [--max-attempts N]

Sets the image pin (app.image.tag and app.image.digest of environments/ENV.yaml) on branch env/ENV and
re-renders dist/ENV/, as exactly one commit with trailers Source-Commit and Image-Digest. Works in a
temporary worktree: your checkout is not touched (if env/ENV is checked out somewhere, that worktree must be
clean and is fast-forwarded). A bump to the pin the branch already has makes no commit.

  --env ENV            environment (a file environments/ENV.yaml)
  --tag TAG            image tag, e.g. 1.4.2 or the short commit (not "latest")
  --digest sha256:HEX  the pushed image's digest: what actually runs
  --source-commit SHA  commit the image was built from (default: HEAD of this checkout)
  --push REMOTE        base on REMOTE's env/ENV and push there; a rejected push (a concurrent bump) is
                       fetched, re-applied on the new tip and retried with jittered backoff (bumps of one
                       clone take turns: .git/platform-env-ENV.lock)
  --max-attempts N     push attempts before giving up (default 10)`;

/** `platform bump`, with the renderer injectable for tests. */
export function bumpCommand(
  render: () => RenderEnvironment = cdk8sRenderer,
  cwd: () => string = () => process.cwd(),
): Command {
  return {
    name: 'bump',
    summary: 'set an environment image pin on env/<env>: one commit, race-free push',
    usage,
    async run(args) {
      const flags = parseFlags(
        args,
        {
          env: { type: 'string' },
          tag: { type: 'string' },
          digest: { type: 'string' },
          'source-commit': { type: 'string' },
          push: { type: 'string' },
          'max-attempts': { type: 'string' },
        },
        usage,
      );
      const { root, commonDir } = repositoryDirs(cwd());
      const git = new Git(root);
      const env = checkEnvironment(root, required(flags, 'env', usage), '--env');
      const tag = checkTag(required(flags, 'tag', usage));
      const digest = checkDigest(required(flags, 'digest', usage));
      const sourceCommit =
        typeof flags['source-commit'] === 'string'
          ? checkCommitSha(flags['source-commit'], '--source-commit')
          : git.run(['rev-parse', 'HEAD']).trim();
      const remote = typeof flags.push === 'string' ? checkRemote(git, flags.push) : undefined;
      const maxAttempts =
        typeof flags['max-attempts'] === 'string' ? checkPositiveInt(flags['max-attempts'], '--max-attempts', 100) : 10;

      const result = await updateEnvironmentPin({
        repoRoot: root,
        commonDir,
        env,
        pin: { tag, digest },
        subject: `bump(${env}): ${tag}`,
        trailers: [
          ['Source-Commit', sourceCommit],
          ['Image-Digest', digest],
        ],
        remote,
        maxAttempts,
        render: render(),
        log: (line) => process.stderr.write(`platform bump: ${line}\n`),
      });
      const target = remote === undefined ? envBranch(env) : `${remote}/${envBranch(env)}`;
      if (result.outcome === 'unchanged') {
        process.stdout.write(`${target} already runs ${tag}@${digest}; nothing to commit\n`);
      } else {
        process.stdout.write(
          `${target}: ${result.previous.tag} -> ${tag} (${digest}) in ${result.commit}` +
            `${result.attempts > 1 ? ` after ${result.attempts} attempts` : ''}\n`,
        );
      }
      return 0;
    },
  };
}

export const bump = bumpCommand();
