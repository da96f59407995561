import type { Command } from './command';
import { checkDigest, checkPositiveInt, checkRemote, parseFlags, required } from '../gitops/flags';
import { Git, repositoryDirs } from '../gitops/git';
import {
  readBranchTips,
  checkEnvironment,
  envBranch,
  envFile,
  readEnvironmentAt,
  readEnvironmentConfigAt,
  updateEnvironmentPin,
  type RenderEnvironment,
  type Trailers,
} from '../gitops/env-branch';
import { imageReference, imageReferencesIn } from '../gitops/pin';
import { ecrImageLookup, parseEcrRepository, type ImageLookup } from '../aws/ecr-images';
import { cdk8sRenderer } from '../gitops/renderer';
import { CliError, UsageError } from '../util/errors';

const usage = `usage: platform promote --from ENV --to ENV [--digest sha256:HEX] [--push REMOTE] [--max-attempts N]
                        [--wait [--timeout S] [--interval S]]

Copies the image that env/FROM runs (tag and digest, no rebuild) to env/TO, as one commit with trailers
Promoted-From, Image-Digest and the Source-Commit of FROM's pin. Refuses when FROM's rendered dist/FROM/
does not run its own pin, when --digest is given and is not what FROM runs, or when TO's registry (the ECR
repository of env/TO's app.image.repository) does not have the digest yet: ECR DescribeImages with the
AWS credentials of the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; read-only:
TO's check role), at PLATFORM_ECR_ENDPOINT when set.

  --from ENV           environment to promote from (its branch env/FROM)
  --to ENV             environment to promote to (its branch env/TO)
  --digest sha256:HEX  assert the digest being promoted (refused unless FROM runs exactly this)
  --push REMOTE        read env/FROM from and push env/TO to REMOTE, retrying a lost race like bump
  --max-attempts N     push attempts before giving up (default 10)
  --wait               wait for the digest to replicate into TO's registry instead of refusing at once
  --timeout S          with --wait: give up after S seconds (default 900)
  --interval S         with --wait: ask every S seconds (default 15)`;

/** How long `--wait` polls at most, and how often, by default. */
const DEFAULT_WAIT_TIMEOUT_S = 900;
const DEFAULT_WAIT_INTERVAL_S = 15;

interface RegistryCheck {
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

/**
 * Refuses (CliError) unless `repository` (ECR) has `digest`, asking every interval until the timeout with --wait.
 * The image reaches TO's registry by ECR replication from the registry CI pushes to (docs/gitops.md).
 */
export async function checkTargetHasImage(
  lookup: ImageLookup,
  target: { env: string; repository: string; digest: string },
  check: RegistryCheck,
  log: (line: string) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise<void>((r) => setTimeout(r, ms)),
  now: () => number = Date.now,
): Promise<void> {
  const repo = parseEcrRepository(target.repository);
  if (repo === undefined) {
    throw new CliError(
      `${envFile(target.env)}: app.image.repository: got ${JSON.stringify(target.repository)}; expected an ECR repository <account>.dkr.ecr.<region>.amazonaws.com/<name>, whose images promote can check`,
    );
  }
  const deadline = now() + check.timeoutMs;
  // Bounded: one lookup per interval until the deadline (and at least one).
  const maxLookups = check.wait ? Math.floor(check.timeoutMs / check.intervalMs) + 1 : 1;
  for (let attempt = 1; attempt <= maxLookups; attempt++) {
    const { found } = await lookup(repo, target.digest);
    if (found) {
      log(`${target.repository} has ${target.digest}`);
      return;
    }
    const left = deadline - now();
    if (!check.wait || left <= 0 || attempt === maxLookups) break;
    log(
      `${target.repository} does not have ${target.digest} yet; asking again in ${Math.round(Math.min(check.intervalMs, left) / 1000)} s`,
    );
    await sleep(Math.min(check.intervalMs, left));
  }
  throw new CliError(
    `${target.repository} does not have ${target.digest}${check.wait ? ` after ${Math.round(check.timeoutMs / 1000)} s` : ''}; refusing to promote an image ${target.env} could not pull: ` +
      `ECR replicates it from the registry CI pushed it to (${check.wait ? 'check its replication status' : 'retry with --wait to give replication time'}; docs/gitops.md, "When replication lags or fails")`,
  );
}

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
  images: () => ImageLookup = () => ecrImageLookup(),
  clock: { sleep?: (ms: number) => Promise<void>; now?: () => number } = {},
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
          wait: { type: 'boolean' },
          timeout: { type: 'string' },
          interval: { type: 'string' },
        },
        usage,
      );
      const { root, commonDir } = repositoryDirs(cwd());
      const git = new Git(root);
      const from = checkEnvironment(root, required(flags, 'from', usage), '--from');
      const to = checkEnvironment(root, required(flags, 'to', usage), '--to');
      if (from === to)
        throw new UsageError(`--to: got ${JSON.stringify(to)}; expected an environment other than --from`);
      const asserted = typeof flags.digest === 'string' ? checkDigest(flags.digest) : undefined;
      const remote = typeof flags.push === 'string' ? checkRemote(git, flags.push) : undefined;
      const maxAttempts =
        typeof flags['max-attempts'] === 'string' ? checkPositiveInt(flags['max-attempts'], '--max-attempts', 100) : 10;
      const wait = flags.wait === true;
      for (const flag of ['timeout', 'interval'] as const) {
        if (typeof flags[flag] === 'string' && !wait)
          throw new UsageError(`--${flag}: got ${JSON.stringify(flags[flag])}; expected it only with --wait`);
      }
      const timeoutS =
        typeof flags.timeout === 'string'
          ? checkPositiveInt(flags.timeout, '--timeout', 86_400)
          : DEFAULT_WAIT_TIMEOUT_S;
      const intervalS =
        typeof flags.interval === 'string'
          ? checkPositiveInt(flags.interval, '--interval', 3600)
          : DEFAULT_WAIT_INTERVAL_S;
      const registryCheck: RegistryCheck = { wait, timeoutMs: timeoutS * 1000, intervalMs: intervalS * 1000 };

      // both branches at once (one fetch when pushing); updateEnvironmentPin reads env/TO again in its turn
      const [source, targetTip] = await readBranchTips(git, [from, to], remote);
      const sourceTip = source!.tip;
      const running = runningImage(git, sourceTip, from);
      if (asserted !== undefined && asserted !== running.digest) {
        throw new CliError(
          `--digest: got ${asserted}; expected the digest env/${from} runs (${running.digest}): refusing to promote what ${from} does not run`,
        );
      }
      // The image must be in TO's registry before TO's manifests name it: else every new pod of TO would sit in
      // ImagePullBackOff. The repository is the one env/TO renders.
      const targetRepository = readEnvironmentConfigAt(git, targetTip!.tip, to).app.image.repository;
      await checkTargetHasImage(
        images(),
        { env: to, repository: targetRepository, digest: running.digest },
        registryCheck,
        (line) => process.stderr.write(`platform promote: ${line}\n`),
        clock.sleep,
        clock.now,
      );
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
        commonDir,
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
