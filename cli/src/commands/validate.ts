import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentConfigError } from '@metrics-platform/cdk8s/lib/config/errors';
import { scanArgs } from '../util/args';
import { CliError, UsageError } from '../util/errors';
import {
  defaultPaths,
  findRepoRoot,
  formatProblem,
  SchemaLoadError,
  SchemasNotFoundError,
  validatePlatform,
  type ValidationReport,
} from '../validate/index';
import type { Command } from './command';

const usage = `usage: platform validate [paths...] [--schemas DIR] [--env ENV] [--json]

Validates every YAML document under the given files or directories (default: dist/*/, crossplane/, argocd/)
against the pinned upstream schemas (strict: unknown fields are errors; CEL rules evaluated), then checks
references between objects and the workload policy. One line per problem:
  file: kind/namespace/name: path: message
and a summary line. Exit 1 on any error, 2 on bad usage.

flags:
  --schemas DIR  pinned schemas directory (default: $PLATFORM_SCHEMAS_DIR, ../shared/schemas, the user cache)
  --env ENV      validate dist/ENV only (plus crossplane/ and argocd/ unless paths are given)
  --json         print {objects, errors, warnings, problems} as JSON instead of lines`;

interface Args {
  readonly paths: string[];
  readonly schemas?: string;
  readonly env?: string;
  readonly json: boolean;
}

function parseArgs(args: readonly string[]): Args {
  const scanned = scanArgs(args, {
    strings: ['schemas', 'env'],
    booleans: ['json'],
    positionals: true,
    unexpected: (a) => `unknown flag ${a}; expected --schemas, --env or --json`,
  });
  const paths = [...scanned.positionals];
  const { schemas, env } = scanned.strings;
  const json = scanned.booleans.has('json');
  if (env !== undefined && paths.length > 0)
    throw new UsageError('--env selects dist/<env> among the default paths; give either --env or paths, not both');
  if (env !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(env))
    throw new UsageError(`--env: got ${JSON.stringify(env)}; expected an environment name such as dev`);
  return { paths, schemas, env, json };
}

function print(report: ValidationReport, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  for (const p of report.problems) process.stdout.write(formatProblem(p) + '\n');
  process.stdout.write(`${report.objects} objects validated, ${report.errors} errors, ${report.warnings} warnings\n`);
}

export const validate: Command = {
  name: 'validate',
  summary: 'validate rendered manifests, crossplane/ and argocd/ offline against the pinned schemas and policy',
  usage,
  async run(args) {
    const parsed = parseArgs(args);
    const repoRoot = findRepoRoot();
    if (repoRoot === undefined && parsed.paths.length === 0)
      throw new UsageError('not inside the repository: give the paths to validate');
    let paths = parsed.paths;
    if (paths.length === 0) {
      const root = repoRoot as string;
      if (parsed.env !== undefined && !existsSync(join(root, 'dist', parsed.env))) {
        const known = existsSync(join(root, 'dist')) ? readdirSync(join(root, 'dist')).sort().join(', ') : 'none';
        throw new UsageError(`--env: got ${JSON.stringify(parsed.env)}; no dist/${parsed.env} (rendered: ${known})`);
      }
      paths = defaultPaths(root, parsed.env);
      if (paths.length === 0)
        throw new CliError('nothing to validate: no dist/, crossplane/ or argocd/ (run `npm run synth`)');
    }
    let report: ValidationReport;
    try {
      report = await validatePlatform(paths, { schemasDir: parsed.schemas, repoRoot });
    } catch (err) {
      if (
        err instanceof SchemasNotFoundError ||
        err instanceof SchemaLoadError ||
        err instanceof EnvironmentConfigError
      )
        throw new CliError(err.message);
      throw err;
    }
    print(report, parsed.json);
    return report.errors > 0 ? 1 : 0;
  },
};
