type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * `data` with the absent fields that have a `default` in a structural schema filled in, top-down, like the API
 * server does before it validates a custom resource (defaults inside a default are applied too). Never mutates
 * `data`: what changes is copied (shallowly, along the path to each default; keys keep their order, a default
 * goes last as an assignment would put it) and what does not is shared, so an object without defaults to apply
 * is returned as is, without a copy.
 */
export function withDefaults(data: unknown, schema: Schema | undefined): unknown {
  if (schema === undefined) return data;
  if (Array.isArray(data)) {
    const items = schema.items;
    if (!isObject(items)) return data;
    let out: unknown[] | undefined;
    for (let i = 0; i < data.length; i++) {
      const item: unknown = data[i];
      const next = withDefaults(item, items);
      if (next !== item) {
        out ??= [...data];
        out[i] = next;
      }
    }
    return out ?? data;
  }
  if (!isObject(data)) return data;
  let out: Record<string, unknown> | undefined;
  const props = schema.properties;
  if (isObject(props)) {
    for (const [name, sub] of Object.entries(props)) {
      if (!isObject(sub)) continue;
      const current = (out ?? data)[name];
      let next = current === undefined && sub.default !== undefined ? structuredClone(sub.default) : current;
      if (next !== undefined) next = withDefaults(next, sub);
      if (next !== current) {
        out ??= { ...data };
        out[name] = next;
      }
    }
  }
  const extra = schema.additionalProperties;
  if (isObject(extra)) {
    for (const [name, value] of Object.entries(out ?? data)) {
      if (isObject(props) && name in props) continue;
      const next = withDefaults(value, extra);
      if (next !== value) {
        out ??= { ...data };
        out[name] = next;
      }
    }
  }
  return out ?? data;
}
