/** Small typed accessors over decoded YAML, shared by the checks. */

export type Obj = Record<string, unknown>;

export function asObj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function nameOf(o: Obj): string {
  return asString(asObj(o.metadata)?.name) ?? asString(asObj(o.metadata)?.generateName) ?? '-';
}

export function namespaceOf(o: Obj): string | undefined {
  return asString(asObj(o.metadata)?.namespace);
}

export function kindOf(o: Obj): string {
  return asString(o.kind) ?? '-';
}

/** The API group of an apiVersion (`apps/v1` -> `apps`, `v1` -> ``). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function labelsOf(o: Obj | undefined): Record<string, string> {
  const labels = asObj(asObj(o?.metadata)?.labels) ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function annotationsOf(o: Obj): Record<string, string> {
  const ann = asObj(asObj(o.metadata)?.annotations) ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ann)) if (typeof v === 'string') out[k] = v;
  return out;
}
