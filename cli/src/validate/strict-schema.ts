/**
 * Turns an upstream structural schema into the one this validator enforces. Upstream schemas accept unknown
 * fields silently (the API server prunes them); a GitOps repo wants them reported, so every object schema with
 * `properties` becomes closed (`additionalProperties: false`) unless it preserves unknown fields or already says
 * what extra properties may be. Branches of anyOf/allOf/oneOf/not are left open: in a structural schema they only
 * add value validations to fields declared beside them.
 */

type Schema = Record<string, unknown>;

export interface StrictSchemaOptions {
  /** Drop `required` everywhere (for partial objects such as Composition bases that patches complete). */
  readonly allowMissingRequired?: boolean;
}

const CHILD_MAPS = ['properties', 'patternProperties', 'definitions'] as const;
const CHILD_SCHEMAS = ['items', 'additionalProperties', 'additionalItems'] as const;
const LOGIC = ['anyOf', 'allOf', 'oneOf', 'not'] as const;

function isSchema(v: unknown): v is Schema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function strictSchema(schema: Schema, opts: StrictSchemaOptions = {}): Schema {
  return transform(schema, opts, true);
}

function transform(schema: Schema, opts: StrictSchemaOptions, close: boolean): Schema {
  const out: Schema = { ...schema };
  if (opts.allowMissingRequired === true) delete out.required;
  for (const key of CHILD_MAPS) {
    const map = schema[key];
    if (isSchema(map)) {
      const next: Schema = {};
      for (const [k, v] of Object.entries(map)) next[k] = isSchema(v) ? transform(v, opts, close) : v;
      out[key] = next;
    }
  }
  for (const key of CHILD_SCHEMAS) {
    const child = schema[key];
    if (isSchema(child)) out[key] = transform(child, opts, close);
  }
  for (const key of LOGIC) {
    const child = schema[key];
    if (Array.isArray(child)) out[key] = child.map((c) => (isSchema(c) ? transform(c, opts, false) : c));
    else if (isSchema(child)) out[key] = transform(child, opts, false);
  }
  if (
    close &&
    isSchema(schema.properties) &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}
