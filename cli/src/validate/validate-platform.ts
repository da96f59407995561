import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { checkCrossObject } from './cross-object';
import { type SourcedObject, loadFiles, yamlFilesUnder } from './load-files';
import { checkMetadata } from './metadata';
import { asString, kindOf, nameOf, namespaceOf } from './objects';
import { checkPolicies, type PolicyOptions } from './policy';
import { type Problem, type SchemaProblem, sortProblems } from './problem';
import { SchemaRegistry } from './registry';
import { findRepoRoot } from './repo-root';
import { resolveSchemasDir } from './schemas-dir';

export interface ValidatePlatformOptions {
  /** A loaded registry (tests, benches); otherwise loaded from `schemasDir` or `resolveSchemasDir()`. */
  readonly registry?: SchemaRegistry;
  /** @default resolveSchemasDir({ repoRoot }) */
  readonly schemasDir?: string;
  /** Files are reported relative to it and environment configs are read from it. @default the enclosing repo */
  readonly repoRoot?: string;
  /**
   * Names of production environments (stricter policy: replicas, PDB, topology spread).
   * @default environments named `prod` or `prod-*` (see policy.ts)
   */
  readonly prodEnvironments?: readonly string[];
  /**
   * Objects to take XRDs from besides the validated ones (not validated themselves).
   * @default for validatePlatform: the XRDs of `<repoRoot>/crossplane/` when it is not among the paths
   */
  readonly xrdSources?: readonly SourcedObject[];
  /** Run cross-object checks. @default true */
  readonly crossObject?: boolean;
  /** Run the workload policy checks. @default true */
  readonly policy?: boolean;
}

export interface ValidationReport {
  /** Kubernetes objects validated (documents of kustomization files excluded). */
  readonly objects: number;
  /** Sorted by file, object, path. */
  readonly problems: Problem[];
  readonly errors: number;
  readonly warnings: number;
}

/** The default inputs: every `dist/<env>/`, `crossplane/` and `argocd/` that exists; `env` narrows dist. */
export function defaultPaths(repoRoot: string, env?: string): string[] {
  const dist = join(repoRoot, 'dist');
  const paths: string[] = [];
  if (env !== undefined) paths.push(join(dist, env));
  else if (existsSync(dist)) paths.push(dist);
  for (const dir of ['crossplane', 'argocd']) if (existsSync(join(repoRoot, dir))) paths.push(join(repoRoot, dir));
  return paths;
}

function toProblem(s: SourcedObject, p: SchemaProblem): Problem {
  return {
    file: s.file,
    kind: kindOf(s.object),
    namespace: namespaceOf(s.object) ?? '-',
    name: nameOf(s.object),
    path: p.path === '' ? '-' : p.path,
    message: p.message,
    severity: p.severity ?? 'error',
  };
}

/** Validates files and directories (YAML found recursively). */
export async function validatePlatform(
  paths: readonly string[],
  opts: ValidatePlatformOptions = {},
): Promise<ValidationReport> {
  const repoRoot = opts.repoRoot ?? findRepoRoot();
  const files: string[] = [];
  const missing: Problem[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) {
      missing.push({
        file: p,
        kind: '-',
        namespace: '-',
        name: '-',
        path: '-',
        message: 'no such file or directory',
        severity: 'error',
      });
      continue;
    }
    files.push(...yamlFilesUnder(abs));
  }
  const loaded = loadFiles([...new Set(files)], repoRoot);
  const report = await validateObjects(loaded.objects, {
    ...opts,
    repoRoot,
    xrdSources: opts.xrdSources ?? repoXrds(repoRoot, files),
  });
  const problems = sortProblems([...missing, ...loaded.problems, ...report.problems]);
  return summarize(report.objects, problems);
}

/** The repo's XRDs, so that `platform validate dist/dev` knows the XR kinds without validating crossplane/. */
function repoXrds(repoRoot: string | undefined, inputs: readonly string[]): SourcedObject[] {
  if (repoRoot === undefined) return [];
  const dir = join(repoRoot, 'crossplane');
  if (!existsSync(dir) || inputs.some((f) => f.startsWith(dir + sep))) return [];
  return loadFiles(yamlFilesUnder(dir), repoRoot).objects.filter(
    (s) => kindOf(s.object) === 'CompositeResourceDefinition',
  );
}

/** Validates objects already loaded (each with its file and apply group). */
export async function validateObjects(
  objects: readonly SourcedObject[],
  opts: ValidatePlatformOptions = {},
): Promise<ValidationReport> {
  const registry =
    opts.registry ?? SchemaRegistry.load(resolveSchemasDir({ schemasDir: opts.schemasDir, repoRoot: opts.repoRoot }));
  const problems: Problem[] = [];
  // XRs are validated against the repo's own XRDs: register those first.
  for (const s of [...(opts.xrdSources ?? []), ...objects]) {
    if (
      kindOf(s.object) === 'CompositeResourceDefinition' &&
      asString(s.object.apiVersion)?.startsWith('apiextensions.crossplane.io/')
    ) {
      try {
        registry.addXrd(s.object);
      } catch (err) {
        problems.push(toProblem(s, { path: '-', message: (err as Error).message }));
      }
    }
  }
  // Byte-identical documents share one parsed object (loadFiles): each is checked once, reported at every copy.
  const checked = new Map<object, SchemaProblem[]>();
  for (const s of objects) {
    let found = checked.get(s.object);
    if (found === undefined) {
      found = registry.validate(s.object);
      const apiVersion = asString(s.object.apiVersion);
      const kind = asString(s.object.kind);
      if (apiVersion !== undefined && kind !== undefined) {
        const meta = checkMetadata(s.object, registry.isNamespaced(apiVersion, kind));
        if (meta.length > 0) found = [...found, ...meta];
      }
      checked.set(s.object, found);
    }
    for (const p of found) problems.push(toProblem(s, p));
  }
  if (opts.crossObject !== false) problems.push(...checkCrossObject(objects));
  if (opts.policy !== false) {
    const policyOpts: PolicyOptions = { prodEnvironments: opts.prodEnvironments, repoRoot: opts.repoRoot };
    problems.push(...checkPolicies(objects, policyOpts));
  }
  return summarize(objects.length, sortProblems(problems));
}

function summarize(objects: number, problems: Problem[]): ValidationReport {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return { objects, problems, errors, warnings: problems.length - errors };
}

/** `validatePlatform(...).problems`: the contract's entry point for files. */
export async function validateFiles(paths: readonly string[], opts: ValidatePlatformOptions = {}): Promise<Problem[]> {
  return (await validatePlatform(paths, opts)).problems;
}
