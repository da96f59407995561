import { stringify } from 'yaml';
import { EnvironmentConfigError, loadEnvironment, loadEnvironments } from '@metrics-platform/cdk8s/lib/config';
import type { Command } from '../commands/command';
import { EnvironmentXrError, XrPropsError } from '@metrics-platform/cdk8s/lib/crossplane';
import { scanArgs } from '../util/args';
import { CliError, UsageError } from '../util/errors';
import { findRepoRoot, resolveSchemasDir, SchemasNotFoundError, SchemaRegistry } from '../validate';
import { checkPlatform, formatCrossplaneProblem, type Obj } from './checks';
import { environmentXrs, platformObjects } from './platform-objects';
import { applyDefaults } from './render/defaults';
import { renderComposition } from './render/render';

const usage = `usage: platform render [--env ENV] [--xr KIND/NAME] [--schemas DIR] [--quiet]

Offline 'crossplane render' of the environments' XRs: checks the platform API (XRDs, Compositions, packages,
Usages) against the pinned CRDs, renders each XR of dist/<env>/ through its Composition (function-patch-and-transform
semantics) and validates every composed managed resource fully against its provider CRD. Prints the composed
resources as YAML (what Crossplane would create on the first reconcile; resources gated on another resource's
status are listed as held back). Exit 1 on any problem, 2 on bad usage.

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
  summary: "offline 'crossplane render' of every environment's XRs, validated against the provider CRDs",
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
    try {
      envs = a.env === undefined ? loadEnvironments(root) : [loadEnvironment(root, a.env)];
    } catch (err) {
      if (err instanceof EnvironmentConfigError) throw new UsageError(err.message);
      throw err;
    }
    const platform = platformObjects(envs[0]?.namespace);
    const problems = checkPlatform(registry, platform).map(formatCrossplaneProblem);
    const functions = new Set(platform.filter((o) => o.kind === 'Function').map((o) => String(o.metadata?.name)));
    let matched = 0;
    let composed = 0;
    for (const env of envs) {
      let xrs: Obj[];
      try {
        xrs = environmentXrs(env);
      } catch (err) {
        if (err instanceof EnvironmentXrError || err instanceof XrPropsError) throw new CliError(err.message);
        throw err;
      }
      for (const xr of xrs) {
        if (a.xr !== undefined && xrId(xr) !== a.xr) continue;
        matched++;
        const where = `dist/${env.name}: ${xrId(xr)}`;
        problems.push(...registry.validate(xr).map((p) => `${where}: ${p.path}: ${p.message}`));
        const comp = platform.find((o) => o.kind === 'Composition' && (o.spec as { compositeTypeRef?: { kind?: string } }).compositeTypeRef?.kind === xr.kind);
        if (!comp) {
          problems.push(`${where}: no Composition for kind ${String(xr.kind)}`);
          continue;
        }
        const defaulted = applyDefaults(registry.schemaFor(String(xr.apiVersion), String(xr.kind)), xr) as Obj;
        const result = renderComposition(comp, defaulted, { functions });
        for (const r of result.resources) {
          composed++;
          problems.push(...registry.validate(r.object).map((p) => `${where} -> ${r.name}: ${p.path}: ${p.message}`));
          if (!a.quiet) process.stdout.write(`---\n# ${where} -> ${r.name}\n${stringify(r.object, { lineWidth: 0 })}`);
        }
        if (!a.quiet) for (const s of result.skipped) process.stdout.write(`# ${where} -> ${s.name}: held back until ${s.reason}\n`);
        problems.push(...result.warnings.map((w) => `${where}: ${w}`));
      }
    }
    if (a.xr !== undefined && matched === 0) throw new UsageError(`--xr: got ${JSON.stringify(a.xr)}; no such XR in ${envs.map((e) => `dist/${e.name}`).join(', ')}`);
    for (const p of problems) process.stderr.write(`${p}\n`);
    process.stderr.write(`${matched} XRs rendered into ${composed} composed resources, ${problems.length} problems\n`);
    return problems.length > 0 ? 1 : 0;
  },
};
