type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Fills absent fields that have a `default` in a structural schema, top-down, like the API server does before it
 * validates a custom resource (defaults inside a default are applied too). Mutates `data`.
 */
export function applyDefaults(data: unknown, schema: Schema | undefined): void {
  if (schema === undefined) return;
  if (Array.isArray(data)) {
    const items = schema.items;
    if (isObject(items)) for (const item of data) applyDefaults(item, items);
    return;
  }
  if (!isObject(data)) return;
  const props = schema.properties;
  if (isObject(props)) {
    for (const [name, sub] of Object.entries(props)) {
      if (!isObject(sub)) continue;
      if (data[name] === undefined && sub.default !== undefined) data[name] = structuredClone(sub.default);
      if (data[name] !== undefined) applyDefaults(data[name], sub);
    }
  }
  const extra = schema.additionalProperties;
  if (isObject(extra)) {
    for (const [name, value] of Object.entries(data)) {
      if (!isObject(props) || !(name in props)) applyDefaults(value, extra);
    }
  }
}
