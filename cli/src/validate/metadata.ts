import type { SchemaProblem } from './problem';

/**
 * Name, namespace and label rules the API server enforces outside the OpenAPI schema
 * (apimachinery validation: DNS-1123 names, qualified label keys, label values).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kinds whose names must be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED_KINDS = new Set(['Namespace', 'Service']);

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** Keys checked so far (the same label and annotation keys recur on every object; bounded). */
const qualifiedKeys = new Map<string, boolean>();

/** `prefix/name` with a DNS subdomain prefix and a 63-character name, as for label and annotation keys. */
export function isQualifiedKey(key: string): boolean {
  let ok = qualifiedKeys.get(key);
  if (ok === undefined) {
    ok = checkQualifiedKey(key);
    if (qualifiedKeys.size < 100_000) qualifiedKeys.set(key, ok);
  }
  return ok;
}

function checkQualifiedKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

function mapOf(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Checks one object's metadata. `namespaced` is the kind's scope (undefined when the kind is unknown: then only
 * the format rules apply).
 */
export function checkMetadata(object: Record<string, unknown>, namespaced: boolean | undefined): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const meta = mapOf(object.metadata);
  const kind = String(object.kind);
  if (meta === undefined) return [{ path: 'metadata', message: 'required field is missing' }];
  const name = meta.name;
  if (name === undefined) {
    if (meta.generateName === undefined) problems.push({ path: 'metadata.name', message: 'required field is missing' });
  } else if (typeof name === 'string') {
    const label = LABEL_NAMED_KINDS.has(kind);
    if (label ? !isDns1123Label(name) : !isDns1123Subdomain(name))
      problems.push({
        path: 'metadata.name',
        message: `got ${JSON.stringify(name)}; expected a DNS-1123 ${label ? 'label (lower-case alphanumerics and "-", at most 63)' : 'subdomain (lower-case alphanumerics, "-" and ".", at most 253)'}`,
      });
  }
  const ns = meta.namespace;
  if (namespaced === true && ns === undefined)
    problems.push({ path: 'metadata.namespace', message: `${kind} is namespaced: set metadata.namespace explicitly` });
  if (namespaced === false && ns !== undefined)
    problems.push({
      path: 'metadata.namespace',
      message: `${kind} is cluster-scoped: remove metadata.namespace (got ${JSON.stringify(ns)})`,
    });
  if (typeof ns === 'string' && !isDns1123Label(ns))
    problems.push({ path: 'metadata.namespace', message: `got ${JSON.stringify(ns)}; expected a DNS-1123 label` });
  for (const field of ['labels', 'annotations'] as const) {
    const map = mapOf(meta[field]);
    if (map === undefined) continue;
    for (const [k, v] of Object.entries(map)) {
      // the path of a problem, built only for one (most keys and values pass)
      const at = (): string => `metadata.${field}[${JSON.stringify(k)}]`;
      if (!isQualifiedKey(k))
        problems.push({
          path: at(),
          message: `invalid key: expected [prefix/]name with a DNS subdomain prefix and a name of at most 63 alphanumerics, "-", "_", "."`,
        });
      if (field === 'labels' && typeof v === 'string' && (v.length > 63 || !LABEL_VALUE.test(v)))
        problems.push({
          path: at(),
          message: `got ${JSON.stringify(v)}; expected a label value: at most 63 alphanumerics, "-", "_", ".", starting and ending alphanumeric`,
        });
    }
  }
  return problems;
}
