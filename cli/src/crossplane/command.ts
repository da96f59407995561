import { stringify } from 'yaml';
import { EnvironmentConfigError, loadEnvironment, loadEnvironments } from '@metrics-platform/cdk8s/lib/config';
import type { Command } from '../commands/command';
import { EnvironmentXrError, XrPropsError } from '@metrics-platform/cdk8s/lib/crossplane';
import { scanArgs } from '../util/args';
import { CliError, UsageError } from '../util/errors';
import { findRepoRoot, resolveSchemasDir, SchemasNotFoundError, SchemaRegistry } from '../validate';
import { checkPlatform, formatCrossplaneProblem, type Obj } from './checks';
import { environmentXrs, platformObjects } from './platform-objects';
import { compositionFor, renderComposites, xrdFor, type RenderInput } from '../engines/crossplane-render';
import { ensureEngines } from '../engines/ensure';
import type { KubeObject } from '../engines/kube-api';

const usage = `usage: platform render [--env ENV] [--xr KIND/NAME] [--schemas DIR] [--quiet]

\`crossplane render\` of the environments' XRs by the real engine: checks the platform API (XRDs, Compositions,
packages, Usages) against the pinned CRDs (the fast static checks of \`platform validate\`), then renders each XR
of dist/<env>/ with Crossplane's own composite reconciler (the pinned core binary) and the real composition
functions started on loopback (engines/, built by \`platform engines ensure\` on first use: needs Go), and
validates every composed resource against its provider CRD. Prints the composed resources as YAML: what
Crossplane creates on the first reconcile (resources gated on another resource's status come later). Exit 1 on
any problem (a fatal function result included), 2 on bad usage.

flags:
  --env ENV        one environment (default: every environments/*.yaml)
  --xr KIND/NAME   one XR, e.g. Repository/metrics-app or ClusterAddons/cluster-addons
  --schemas DIR    pinned schemas directory (default: $PLATFORM_SCHEMAS_DIR, ../shared/schemas, the user cache)
  --quiet          print only problems and the summary`;

interface Args {
  readonly env?: string;
  readonly xr?: string;
  readonly schemas?: string;
  readonly quiet: boolean;
}

export function parseRenderArgs(args: readonly string[]): Args {
  const scanned = scanArgs(args, {
    strings: ['env', 'xr', 'schemas'],
    booleans: ['quiet'],
    positionals: false,
    unexpected: (a) => `unexpected argument ${a}; expected --env, --xr, --schemas or --quiet`,
  });
  const { env, xr, schemas } = scanned.strings;
  const quiet = scanned.booleans.has('quiet');
  if (xr !== undefined && !/^[A-Za-z]+\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(xr)) {
    throw new UsageError(`--xr: got ${JSON.stringify(xr)}; expected KIND/NAME such as Repository/metrics-app`);
  }
  return { env, xr, schemas, quiet };
}

const xrId = (o: Obj) => `${String(o.kind)}/${String(o.metadata?.name)}`;

export const render: Command = {
  name: 'render',
  summary: "'crossplane render' of every environment's XRs by the real engine and functions, validated against the provider CRDs",
  usage,
  async run(args) {
    const a = parseRenderArgs(args);
    const root = findRepoRoot();
    if (root === undefined) throw new UsageError('not inside the repository (no package.json with workspaces above the working directory)');
    let registry: SchemaRegistry;
    try {
      registry = SchemaRegistry.load(resolveSchemasDir({ schemasDir: a.schemas, repoRoot: root }));
    } catch (err) {
      if (err instanceof SchemasNotFoundError) throw new CliError(err.message);
      throw err;
    }
    let envs;
    let all;
    try {
      envs = a.env === undefined ? loadEnvironments(root) : [loadEnvironment(root, a.env)];
      all = loadEnvironments(root);
    } catch (err) {
      if (err instanceof EnvironmentConfigError) throw new UsageError(err.message);
      throw err;
    }
    const platform = platformObjects(envs[0]?.namespace);
    const problems = checkPlatform(registry, platform).map(formatCrossplaneProblem);
    const compositions = platform.filter((o) => o.kind === 'Composition') as KubeObject[];
    const xrds = platform.filter((o) => o.kind === 'CompositeResourceDefinition') as KubeObject[];
    const jobs: { where: string; input: RenderInput }[] = [];
    let matched = 0;
    for (const env of envs) {
      let xrs: Obj[];
      try {
        xrs = environmentXrs(env, all);
      } catch (err) {
        if (err instanceof EnvironmentXrError || err instanceof XrPropsError) throw new CliError(err.message);
        throw err;
      }
      for (const xr of xrs as KubeObject[]) {
        if (a.xr !== undefined && xrId(xr) !== a.xr) continue;
        matched++;
        const where = `dist/${env.name}: ${xrId(xr)}`;
        problems.push(...registry.validate(xr).map((p) => `${where}: ${p.path}: ${p.message}`));
        const xrd = xrdFor(xr, xrds);
        const composition = compositionFor(xr, xrd, compositions);
        if (xrd === undefined || composition === undefined) {
          problems.push(`${where}: no ${xrd === undefined ? 'XRD' : 'Composition'} for kind ${xr.kind}`);
          continue;
        }
        jobs.push({ where, input: { composite: xr, composition, xrd } });
      }
    }
    if (a.xr !== undefined && matched === 0) throw new UsageError(`--xr: got ${JSON.stringify(a.xr)}; no such XR in ${envs.map((e) => `dist/${e.name}`).join(', ')}`);
    let composed = 0;
    if (jobs.length > 0) {
      const engines = await ensureEngines({ repoRoot: root });
      const outputs = await renderComposites(
        engines,
        jobs.map((j) => j.input),
      );
      outputs.forEach((out, i) => {
        const { where } = jobs[i]!;
        if (out.error !== undefined) problems.push(`${where}: ${out.fatal === true ? 'fatal: ' : ''}${out.error}`);
        for (const r of out.composed) {
          composed++;
          const name = String((r.metadata.annotations as Record<string, string> | undefined)?.['crossplane.io/composition-resource-name']);
          problems.push(...registry.validate(r).map((p) => `${where} -> ${name}: ${p.path}: ${p.message}`));
          if (!a.quiet) process.stdout.write(`---\n# ${where} -> ${name}\n${stringify(r, { lineWidth: 0 })}`);
        }
        // Warnings of a first reconcile are expected (a resource gated on another's status waits); say them.
        if (!a.quiet) for (const ev of out.events) if (ev.type === 'Warning') process.stdout.write(`# ${where}: ${ev.reason}: ${ev.message}\n`);
      });
    }
    for (const p of problems) process.stderr.write(`${p}\n`);
    process.stderr.write(`${matched} XRs rendered into ${composed} composed resources, ${problems.length} problems\n`);
    return problems.length > 0 ? 1 : 0;
  },
};
