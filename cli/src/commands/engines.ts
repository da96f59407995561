import { ensureEngines } from '../engines/ensure';
import { ENGINE_MODULES } from '../engines/modules';
import { CliError, UsageError } from '../util/errors';
import { findRepoRoot } from '../validate';
import type { Command } from './command';

const usage = `usage: platform engines ensure [--quiet]

Builds the upstream engines the platform is judged by from the Go modules pinned in engines/*/go.mod and go.sum
(kube-apiserver and etcd, Crossplane's render engine, the composition functions, kustomize, actionlint, Argo CD's
Lua health host) into the user cache, keyed by the Go version and each module's files, and prints where each
binary is. A warm run builds nothing and takes well under a second; a cold one takes minutes and says so.
Needs Go 1.26 or later and the Go module proxy (or a warm module cache).

flags:
  --quiet   print nothing but errors`;

export const engines: Command = {
  name: 'engines',
  summary: 'build (or find in the cache) the pinned upstream engines: kube-apiserver, Crossplane render, ...',
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'ensure') throw new UsageError(`expected the sub-command ensure; got ${JSON.stringify(sub ?? '')}`);
    const quiet = rest.includes('--quiet');
    const unknown = rest.find((a) => a !== '--quiet');
    if (unknown !== undefined) throw new UsageError(`unknown argument ${unknown}; expected --quiet`);
    const root = findRepoRoot();
    if (root === undefined)
      throw new CliError('not inside the repository (no package.json with workspaces above the working directory)');
    const found = await ensureEngines({ repoRoot: root, log: quiet ? () => undefined : undefined });
    if (!quiet) {
      for (const m of ENGINE_MODULES) {
        for (const b of m.builds) process.stdout.write(`${b.bin}\t${found.bins[b.bin as keyof typeof found.bins]}\n`);
      }
      for (const [mod, dir] of Object.entries(found.modules)) process.stdout.write(`${mod}\t${dir}\n`);
    }
    return 0;
  },
};
