import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Problem } from './problem';
import { DocumentCache } from './yaml-documents';

/** One YAML document of one file, with where it came from. */
export interface SourcedObject {
  /** The file, relative to the repository root when inside it. */
  readonly file: string;
  readonly object: Record<string, unknown>;
  /**
   * The directory Argo CD applies as one unit (`dist/<env>`, `crossplane`, `argocd`): cross-object checks and
   * collisions are evaluated within it.
   */
  readonly group: string;
}

export interface LoadResult {
  readonly objects: SourcedObject[];
  readonly problems: Problem[];
}

/** Kustomize's own file: not a Kubernetes object, checked separately. */
export const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

function fileProblem(file: string, message: string, path = '-'): Problem {
  return { file, kind: '-', namespace: '-', name: '-', path, message, severity: 'error' };
}

/** Every `*.yaml` / `*.yml` under `path` (or `path` itself), sorted, skipping dot-directories. */
export function yamlFilesUnder(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  const out: string[] = [];
  // the directory's own entry types spare a stat per file; a symbolic link (or an unknown type) is stat'ed, as
  // before, so that a link to a directory is followed
  const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith('.') || name === 'node_modules') continue;
    const child = join(path, name);
    const directory = entry.isDirectory() || (!entry.isFile() && statSync(child).isDirectory());
    if (directory) out.push(...yamlFilesUnder(child));
    else if (/\.ya?ml$/.test(name) || name === 'Kustomization') out.push(child);
  }
  return out;
}

/** The apply unit of a file: `dist/<env>` for rendered environments, else the top directory under the root. */
export function applyUnitOf(relFile: string): string {
  const parts = relFile.split(/[\\/]/);
  if (parts[0] === 'dist' && parts.length > 2) return `dist/${parts[1] as string}`;
  if (parts.length > 1 && parts[0] !== '..') return parts[0] as string;
  return parts.slice(0, -1).join('/') || '.';
}

export function displayPath(file: string, repoRoot: string | undefined): string {
  if (repoRoot === undefined) return file;
  const rel = relative(repoRoot, file);
  return rel.startsWith(`..${sep}`) || rel === '..' ? file : rel.split(sep).join('/');
}

/**
 * Parses every file; YAML errors, non-object documents and kustomization problems become problems. Documents that
 * are byte-identical share one parsed object (see DocumentCache): the objects returned must be treated as read-only.
 */
export function loadFiles(
  files: readonly string[],
  repoRoot: string | undefined,
  cache: DocumentCache = new DocumentCache(),
): LoadResult {
  const objects: SourcedObject[] = [];
  const problems: Problem[] = [];
  /** Patch files of a kustomization that sets `namespace:`, with that namespace (absolute path -> namespace). */
  const patchNamespaces = new Map<string, string>();
  const sources = new Map<SourcedObject, string>();
  for (const abs of files) {
    const file = displayPath(abs, repoRoot);
    const group = applyUnitOf(file);
    const base = file.split('/').pop() ?? file;
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (err) {
      problems.push(fileProblem(file, `cannot read: ${(err as Error).message}`));
      continue;
    }
    cache.parse(text, base).forEach((doc, i) => {
      if (doc.errors !== undefined) {
        for (const e of doc.errors) problems.push(fileProblem(file, `not valid YAML: ${e}`));
        return;
      }
      const value = doc.value;
      if (value === null || value === undefined) return;
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push(
          fileProblem(
            file,
            `document ${i + 1}: expected a Kubernetes object (a mapping), got ${Array.isArray(value) ? 'a list' : typeof value}`,
          ),
        );
        return;
      }
      if (KUSTOMIZATION_FILES.has(base)) {
        problems.push(...checkKustomization(abs, file, value as Record<string, unknown>));
        for (const [patch, ns] of kustomizedPatches(abs, value as Record<string, unknown>))
          patchNamespaces.set(patch, ns);
        return;
      }
      const sourced = { file, object: value as Record<string, unknown>, group };
      sources.set(sourced, abs);
      objects.push(sourced);
    });
  }
  // kustomize matches a patch by name before it applies the kustomization's namespace, so a patch must carry no
  // namespace (one that does matches nothing) and the object it patches ends up in the kustomization's namespace.
  objects.forEach((o, i) => {
    const ns = patchNamespaces.get(sources.get(o) ?? '');
    const meta = o.object.metadata as Record<string, unknown> | undefined;
    if (ns === undefined || meta === undefined) return;
    if (meta.namespace === undefined) {
      // a copy: an identical document elsewhere shares the parsed object
      const object = structuredClone(o.object);
      (object.metadata as Record<string, unknown>).namespace = ns;
      objects[i] = { ...o, object };
    } else
      problems.push({
        ...fileProblem(
          o.file,
          `a patch of a kustomization that sets namespace must not set one (kustomize matches patches before it sets the namespace, so this one matches nothing: "no resource matches strategic merge patch")`,
          'metadata.namespace',
        ),
        kind: String(o.object.kind),
        name: String(meta.name),
        namespace: String(meta.namespace),
      });
  });
  return { objects, problems };
}

/** The local patch files of a kustomization that sets `namespace:`, each with that namespace. */
function kustomizedPatches(abs: string, k: Record<string, unknown>): [string, string][] {
  if (typeof k.namespace !== 'string') return [];
  const dir = abs.slice(0, abs.length - (abs.split(/[\\/]/).pop() ?? '').length);
  const patches = [
    ...(Array.isArray(k.patches) ? k.patches : []).map((p) => (p as { path?: unknown } | null)?.path),
    ...(Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : []),
  ];
  return patches.filter((p): p is string => typeof p === 'string').map((p) => [join(dir, p), k.namespace as string]);
}

/**
 * A kustomization is not a Kubernetes object: check that it is one and that every local `resources` entry
 * exists (a typo there silently drops objects from the bootstrap).
 */
function checkKustomization(abs: string, file: string, k: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const kind = String(k.kind ?? 'Kustomization');
  const apiVersion = k.apiVersion;
  if (apiVersion !== undefined && !/^kustomize\.config\.k8s\.io\/v1(beta1)?$/.test(String(apiVersion)))
    problems.push({
      ...fileProblem(file, `got ${JSON.stringify(apiVersion)}; expected kustomize.config.k8s.io/v1beta1`, 'apiVersion'),
      kind,
    });
  const resources = k.resources;
  if (resources !== undefined && !Array.isArray(resources))
    problems.push({ ...fileProblem(file, 'expected a list of paths or URLs', 'resources'), kind });
  if (Array.isArray(resources)) {
    const dir = abs.slice(0, abs.length - (abs.split(/[\\/]/).pop() ?? '').length);
    resources.forEach((r, i) => {
      if (typeof r !== 'string') {
        problems.push({
          ...fileProblem(file, `got ${JSON.stringify(r)}; expected a path or URL`, `resources[${i}]`),
          kind,
        });
      } else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(r) && !r.startsWith('github.com/') && !existsSync(join(dir, r))) {
        problems.push({
          ...fileProblem(file, `${JSON.stringify(r)} does not exist next to the kustomization`, `resources[${i}]`),
          kind,
        });
      }
    });
  }
  return problems;
}
