/**
 * Structural defaulting as the API server does it: for every object that exists, missing properties with a
 * `default` get it (and defaulted objects are defaulted in turn). Crossplane renders the defaulted XR.
 */
export function applyDefaults(schema: unknown, value: unknown): unknown {
  const s = schema as { properties?: Record<string, unknown>; items?: unknown; additionalProperties?: unknown } | undefined;
  if (!s || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return s.items ? value.map((v) => applyDefaults(s.items, v)) : value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [k, child] of Object.entries(s.properties ?? {})) {
    const c = child as { default?: unknown };
    if (out[k] === undefined && c.default !== undefined) out[k] = structuredClone(c.default);
    if (out[k] !== undefined) out[k] = applyDefaults(child, out[k]);
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    for (const k of Object.keys(out)) if (!(k in (s.properties ?? {}))) out[k] = applyDefaults(s.additionalProperties, out[k]);
  }
  return out;
}
