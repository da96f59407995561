import { parseFieldPath } from './fieldpath';

/** Looks field paths up in structural OpenAPI schemas: does a patch's path exist, and what type is there? */

export type Schema = Record<string, unknown>;
export type SchemaType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'any';

const str: Schema = { type: 'string' };
const stringMap: Schema = { type: 'object', additionalProperties: str };
/** The ObjectMeta fields a patch may write (CRD schemas leave metadata open). */
const objectMeta: Schema = {
  type: 'object',
  properties: { name: str, namespace: str, generateName: str, labels: stringMap, annotations: stringMap },
};

const isSchema = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The sub-schema at `path`, or undefined when the schema has no such field. */
export function schemaAt(root: unknown, path: string): Schema | undefined {
  let cur: Schema | undefined = isSchema(root) ? root : undefined;
  const segs = parseFieldPath(path);
  for (const [i, seg] of segs.entries()) {
    if (!cur) return undefined;
    if (cur['x-kubernetes-preserve-unknown-fields'] === true && !cur.properties && !cur.items) return {};
    if (i === 0 && 'field' in seg && seg.field === 'metadata') {
      cur = objectMeta;
      continue;
    }
    if ('index' in seg) {
      cur = isSchema(cur.items) ? cur.items : undefined;
      continue;
    }
    const props = isSchema(cur.properties) ? cur.properties : undefined;
    if (props && isSchema(props[seg.field])) cur = props[seg.field] as Schema;
    else if (isSchema(cur.additionalProperties)) cur = cur.additionalProperties;
    else if (cur.additionalProperties === true) cur = {};
    else return undefined;
  }
  return cur;
}

/** The JSON type a schema admits ('any' for open schemas). */
export function schemaType(s: Schema | undefined): SchemaType {
  const t = s?.type;
  if (t === 'string' || t === 'integer' || t === 'number' || t === 'boolean' || t === 'array' || t === 'object') return t;
  // Untyped: x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields, or an open schema.
  return 'any';
}

/** Whether a value of type `from` may be written where the schema expects `to`. */
export function assignable(from: SchemaType, to: SchemaType): boolean {
  return from === 'any' || to === 'any' || from === to || (from === 'integer' && to === 'number');
}

/** The JSON type of a literal value. */
export function valueType(v: unknown): SchemaType {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (Array.isArray(v)) return 'array';
  if (v === null || v === undefined) return 'any';
  return 'object';
}
