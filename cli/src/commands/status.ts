import type { Command } from './command';
import { parseFlags } from '../gitops/flags';
import { ArgoCdApplications, REQUEST_TIMEOUT_MS, formatStates, waitForRevision } from '../gitops/argocd-status';
import { CliError, UsageError } from '../util/errors';
import { checkEnvironment, environmentNames } from '../gitops/environments';
import { findRepoRoot } from '../synth/repo-root';

const usage = `usage: platform status [--env ENV] [--namespace NS] [--timeout SECONDS] [--wait --revision SHA [--interval SECONDS]]

Reads the Argo CD Applications of the environments from the cluster of the current kubeconfig context
($KUBECONFIG, else ~/.kube/config) and prints sync status, health and deployed revision per environment.

  --env ENV           only this environment
  --namespace NS      namespace Argo CD runs in (default argocd)
  --wait              poll until ENV runs --revision Synced and Healthy; exit 1 on timeout or a failed sync
  --revision SHA      commit of env/ENV to wait for (at least 7 hex digits)
  --timeout SECONDS   give up after this long in total, whether the cluster answers or not (with --wait:
                      default 600; without: default 30; at most 3600)
  --interval SECONDS  time between polls (default 5)`;

function seconds(
  value: string | boolean | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (typeof value !== 'string') return fallback;
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || n < min || n > max) {
    throw new UsageError(`${flag}: got ${JSON.stringify(value)}; expected a number of seconds from ${min} to ${max}`);
  }
  return n;
}

export const status: Command = {
  name: 'status',
  summary: 'sync, health and revision of each environment from Argo CD (optionally wait for a revision)',
  usage,
  async run(args) {
    const flags = parseFlags(
      args,
      {
        env: { type: 'string' },
        namespace: { type: 'string' },
        wait: { type: 'boolean' },
        revision: { type: 'string' },
        timeout: { type: 'string' },
        interval: { type: 'string' },
      },
      usage,
    );
    const env = typeof flags.env === 'string' ? flags.env : undefined;
    if (env !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(env)) {
      throw new UsageError(`--env: got ${JSON.stringify(env)}; expected an environment name (a DNS-1123 label)`);
    }
    // Like bump: an environment this repository does not define is a typo (outside a checkout: nothing to check).
    const root = findRepoRoot();
    if (env !== undefined && environmentNames(root).length > 0) checkEnvironment(root, env, '--env');
    const namespace = typeof flags.namespace === 'string' ? flags.namespace : 'argocd';
    const wait = flags.wait === true;
    const revision = typeof flags.revision === 'string' ? flags.revision : undefined;
    if (wait && (env === undefined || revision === undefined))
      throw new UsageError('--wait needs --env and --revision');
    if (!wait && (revision !== undefined || flags.interval !== undefined)) {
      throw new UsageError('--revision and --interval only apply with --wait');
    }
    if (revision !== undefined && !/^[0-9a-f]{7,64}$/.test(revision)) {
      throw new UsageError(
        `--revision: got ${JSON.stringify(revision)}; expected a commit id (7 to 64 lower-case hex digits)`,
      );
    }
    // the whole command's bound: with --wait the wait, without it the one request (30 s unless given)
    const timeout = seconds(flags.timeout, '--timeout', wait ? 600 : REQUEST_TIMEOUT_MS / 1000, 1, 3600);
    const interval = seconds(flags.interval, '--interval', 5, 0.1, 300);

    const apps = await ArgoCdApplications.connect(namespace);
    if (wait) {
      const state = await waitForRevision(apps, {
        env: env!,
        revision: revision!,
        timeoutMs: timeout * 1000,
        intervalMs: interval * 1000,
        log: (line) => process.stderr.write(`platform status: ${line}\n`),
      });
      process.stdout.write(formatStates([state]));
      return 0;
    }
    const states = await apps.list(env, timeout * 1000);
    if (states.length === 0) {
      throw new CliError(
        `no Argo CD Applications for ${env === undefined ? 'any environment' : `environment ${env}`} at ${apps.server} (namespace ${namespace}); expected the generated env-<name> Applications`,
      );
    }
    process.stdout.write(formatStates(states));
    return 0;
  },
};
