import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZodError } from 'zod';
import { environmentSchema, type EnvironmentConfig } from './environment';
import { topologyOf } from '../constructs/topology';
import { parseYamlDocument } from '../yaml/parse';

import { EnvironmentConfigError } from './errors';
import { registryRoles } from './promotion';

export { EnvironmentConfigError };

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describe(file: string, data: unknown, error: ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      const got =
        issue.code === 'unrecognized_keys'
          ? `unknown field(s) ${issue.keys.join(', ')}`
          : `got ${JSON.stringify(valueAt(data, issue.path)) ?? 'nothing'}`;
      return `${file}: ${field}: ${got}; expected ${issue.message}`;
    })
    .join('\n');
}

const TYPE_NAMES: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

/**
 * What a field expected, as words, for zod's built-in checks ("a number of at least 1", not zod's
 * "Too small: expected number to be >=1"); checks with their own message (patterns, refinements) keep it.
 */
function expectation(issue: {
  code?: string;
  expected?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  values?: readonly unknown[];
  format?: string;
  divisor?: number;
}): string | undefined {
  const unit = (n: number | bigint | undefined) =>
    issue.origin === 'string'
      ? `${n} character${n === 1 ? '' : 's'}`
      : issue.origin === 'array' || issue.origin === 'set'
        ? `${n} item${n === 1 ? '' : 's'}`
        : String(n);
  const what = issue.origin === 'string' ? 'a string of' : issue.origin === 'array' ? 'a list of' : 'a number';
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected ?? ''] ?? `a value of type ${issue.expected}`;
    case 'too_small':
      return issue.inclusive === false
        ? `${what} greater than ${unit(issue.minimum)}`
        : `${what} ${issue.origin === 'number' || issue.origin === 'int' ? 'of ' : ''}at least ${unit(issue.minimum)}`;
    case 'too_big':
      return issue.inclusive === false
        ? `${what} less than ${unit(issue.maximum)}`
        : `${what} ${issue.origin === 'number' || issue.origin === 'int' ? 'of ' : ''}at most ${unit(issue.maximum)}`;
    case 'invalid_value':
      return `one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'url' ? 'a URL such as https://example.org' : `a valid ${issue.format}`;
    case 'unrecognized_keys':
      return 'only the fields of the environment file reference (docs/cdk8s.md)';
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}

/**
 * Parses and validates one environment document. `file` is only used in messages. The text is read as the `yaml`
 * library's `parse` reads it, by the fast readers when they can (see parseYamlDocument): same value, same errors.
 */
export function parseEnvironment(file: string, text: string, expectedName?: string): EnvironmentConfig {
  let data: unknown;
  try {
    data = parseYamlDocument(text);
  } catch (err) {
    throw new EnvironmentConfigError(
      `${file}: not valid YAML: ${(err as Error).message.split('\n')[0]!.replace(/:$/, '')}`,
    );
  }
  const result = environmentSchema.safeParse(data, { error: (issue) => expectation(issue) });
  if (!result.success) throw new EnvironmentConfigError(describe(file, data, result.error));
  if (expectedName !== undefined && result.data.name !== expectedName) {
    throw new EnvironmentConfigError(
      `${file}: name: got ${JSON.stringify(result.data.name)}; expected "${expectedName}" (the file name)`,
    );
  }
  return result.data;
}

/** The directory holding one `<env>.yaml` per environment. */
export function environmentsDir(repoRoot: string): string {
  return join(repoRoot, 'environments');
}

/** Loads every environment, sorted by name. Fails on the first invalid file with every problem in it. */
export function loadEnvironments(repoRoot: string): EnvironmentConfig[] {
  const dir = environmentsDir(repoRoot);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
  } catch (err) {
    throw new EnvironmentConfigError(`${dir}: cannot read the environments directory: ${(err as Error).message}`);
  }
  if (names.length === 0)
    throw new EnvironmentConfigError(`${dir}: no <env>.yaml files; expected at least one environment`);
  const envs = names.map((f) =>
    parseEnvironment(join('environments', f), readFileSync(join(dir, f), 'utf8'), f.slice(0, -'.yaml'.length)),
  );
  assertNoClashes(envs);
  // Promotion must be wireable (known, acyclic sources; one owner per registry) before anything renders.
  registryRoles(envs);
  return envs;
}

/** A cluster's identity for clash checks: its API server URL, normalized (`https://X/` and `https://x` are one). */
function clusterKey(server: string): string {
  const u = new URL(server);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase();
}

/**
 * Environments that share a cluster (same `cluster.server`, whatever their `cluster.name`) must not render the
 * same objects: two Argo CD Applications would fight over them. Each needs namespaces of its own (its namespace and
 * its Graphite namespace `<namespace>-graphite`), and at most one may own a StorageClass name.
 */
export function assertNoClashes(envs: readonly EnvironmentConfig[]): void {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  const claim = (key: string, env: EnvironmentConfig, field: string, value: string, what: string) => {
    const other = owners.get(key);
    if (other === undefined) owners.set(key, `${what} of environments/${env.name}.yaml`);
    else
      problems.push(
        `environments/${env.name}.yaml: ${field}: got ${JSON.stringify(value)}; expected a value not used by ${other} on the same cluster ${JSON.stringify(env.cluster.server)}`,
      );
  };
  for (const env of envs) {
    const cluster = clusterKey(env.cluster.server);
    const { appNamespace: namespace, graphiteNamespace } = topologyOf(env);
    claim(`ns:${cluster}:${namespace}`, env, 'namespace', namespace, 'the namespace');
    claim(`ns:${cluster}:${graphiteNamespace}`, env, 'namespace', namespace, 'the Graphite namespace');
    if (env.graphite.createStorageClass) {
      claim(
        `sc:${cluster}:${env.graphite.storageClassName}`,
        env,
        'graphite.createStorageClass',
        'true',
        `StorageClass ${JSON.stringify(env.graphite.storageClassName)}`,
      );
    }
  }
  if (problems.length > 0) throw new EnvironmentConfigError(problems.join('\n'));
}

/** Loads one environment by name, with a clear error listing the known ones. */
export function loadEnvironment(repoRoot: string, name: string): EnvironmentConfig {
  const all = readdirSync(environmentsDir(repoRoot))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();
  if (!all.includes(name))
    throw new EnvironmentConfigError(`--env: got ${JSON.stringify(name)}; expected one of: ${all.join(', ')}`);
  const file = join('environments', `${name}.yaml`);
  return parseEnvironment(file, readFileSync(join(repoRoot, file), 'utf8'), name);
}
