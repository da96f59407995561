import { evaluateRule, type CelRule } from './cel';
import { describe } from './describe';
import { joinField } from './field-path';
import type { SchemaProblem } from './problem';
import { isQuantity } from './quantity';

/**
 * A validator that walks an OpenAPI v3 structural schema and the data together. Interpreting costs time
 * proportional to the data; compiling (Ajv) costs time proportional to the schema, and the pinned CRDs embed
 * whole PodSpecs (DeploymentRuntimeConfig: 690 kB) of which one object uses a few fields: compiling them took
 * most of a validate run. Semantics follow the API server:
 * - strict: an object schema with `properties` rejects unknown fields unless it has `additionalProperties` or
 *   `x-kubernetes-preserve-unknown-fields` (anyOf/allOf/oneOf/not branches only add value validations);
 * - type, nullable, enum, format (int32, int64, date-time, byte, ...), pattern, min/max*, multipleOf,
 *   uniqueItems, required;
 * - x-kubernetes-int-or-string, x-kubernetes-embedded-resource, x-kubernetes-list-type set/map uniqueness,
 *   x-kubernetes-validations (CEL, see cel.ts); `x-kubernetes-quantity` marks resource.Quantity.
 */

type Schema = Record<string, unknown>;

export interface WalkOptions {
  /** `definitions` that `$ref: '#/definitions/<name>'` points into (the Kubernetes definitions). */
  readonly definitions?: Schema;
  /** Skip `required` (partial objects). */
  readonly allowMissingRequired?: boolean;
  /**
   * The schema is a CRD's structural schema: an object with neither properties, additionalProperties nor
   * x-kubernetes-preserve-unknown-fields keeps no field at all (the API server prunes them), so any field there
   * is reported. Off for the built-in definitions, which are not structural (RawExtension is a bare object).
   */
  readonly structural?: boolean;
}

interface Ctx extends WalkOptions {
  readonly problems: SchemaProblem[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const patterns = new Map<string, RegExp | Error>();
function regex(p: string): RegExp | Error {
  let r = patterns.get(p);
  if (r === undefined) {
    try {
      r = new RegExp(p, 'u');
    } catch (err) {
      r = err as Error;
    }
    patterns.set(p, r);
  }
  return r;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Formats the API server checks; others are ignored, as there. */
function formatError(format: string, data: unknown): string | undefined {
  if (typeof data === 'number') {
    if (format === 'int32' && !(Number.isInteger(data) && data >= -2147483648 && data <= 2147483647))
      return 'expected a 32-bit integer';
    if (format === 'int64' && !Number.isSafeInteger(data)) return 'expected a 64-bit integer';
    return undefined;
  }
  if (typeof data !== 'string') return undefined;
  if (format === 'date-time' && !DATE_TIME.test(data)) return 'expected an RFC 3339 date-time';
  if (format === 'byte' && !BASE64.test(data)) return 'expected base64';
  return undefined;
}

function typeMatches(type: string, data: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(data);
    case 'array':
      return Array.isArray(data);
    case 'string':
      return typeof data === 'string';
    case 'integer':
      return typeof data === 'number' && Number.isInteger(data);
    case 'number':
      return typeof data === 'number';
    case 'boolean':
      return typeof data === 'boolean';
    default:
      return true;
  }
}

function push(ctx: Ctx, path: string, message: string, severity?: 'warning'): void {
  ctx.problems.push(severity === undefined ? { path: path || '-', message } : { path: path || '-', message, severity });
}

/** Per `definitions` object, each `$ref` resolved so far (null: cannot be resolved). */
const resolvedRefs = new WeakMap<Schema, Map<string, Schema | null>>();

function resolve(schema: Schema, ctx: Ctx): Schema | undefined {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const definitions = ctx.definitions;
  if (definitions === undefined) return undefined;
  let refs = resolvedRefs.get(definitions);
  if (refs === undefined) {
    refs = new Map();
    resolvedRefs.set(definitions, refs);
  }
  let target = refs.get(ref);
  if (target === undefined) {
    const name = ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
    const found = name === undefined ? undefined : definitions[name];
    target = isObject(found) ? found : null;
    refs.set(ref, target);
  }
  return target ?? undefined;
}

/**
 * What walk needs to know of one schema object, read once: schemas are plain JSON objects of many shapes, and
 * reading a dozen properties of each at every node of every object was most of the walk. The schema objects are
 * never changed once registered (see registry.ts), so the summary of one stays true.
 */
class Shape {
  readonly ref: boolean;
  readonly nullable: boolean;
  readonly intOrString: boolean;
  readonly type: string | undefined;
  readonly quantity: boolean;
  readonly enumValues: unknown[] | undefined;
  /** JSON of each enum value, compared with the JSON of the data. */
  readonly enumJson: string[] | undefined;
  readonly format: string | undefined;
  /** minLength, maxLength or pattern is set. */
  readonly stringChecks: boolean;
  /** minimum, maximum, exclusiveMinimum, exclusiveMaximum or multipleOf is a number. */
  readonly numberChecks: boolean;
  /** allOf, anyOf, oneOf or not is set. */
  readonly logic: boolean;
  readonly cel: boolean;
  readonly properties: Schema | undefined;
  readonly additionalProperties: unknown;
  readonly minProperties: number | undefined;
  readonly maxProperties: number | undefined;
  readonly required: string[] | undefined;
  /** additionalProperties or x-kubernetes-preserve-unknown-fields is set. */
  readonly open: boolean;
  readonly embedded: boolean;

  constructor(schema: Schema) {
    this.ref = schema.$ref !== undefined;
    this.nullable = schema.nullable === true;
    this.intOrString = schema['x-kubernetes-int-or-string'] === true;
    this.type = typeof schema.type === 'string' ? schema.type : undefined;
    this.quantity = schema['x-kubernetes-quantity'] === true;
    this.enumValues = Array.isArray(schema.enum) ? schema.enum : undefined;
    this.enumJson = this.enumValues?.map((v) => JSON.stringify(v));
    this.format = typeof schema.format === 'string' ? schema.format : undefined;
    this.stringChecks =
      typeof schema.minLength === 'number' ||
      typeof schema.maxLength === 'number' ||
      typeof schema.pattern === 'string';
    this.numberChecks =
      typeof schema.minimum === 'number' ||
      typeof schema.maximum === 'number' ||
      typeof schema.exclusiveMinimum === 'number' ||
      typeof schema.exclusiveMaximum === 'number' ||
      typeof schema.multipleOf === 'number';
    this.logic =
      Array.isArray(schema.allOf) || Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf) || isObject(schema.not);
    this.cel = Array.isArray(schema['x-kubernetes-validations']);
    this.properties = isObject(schema.properties) ? schema.properties : undefined;
    this.additionalProperties = schema.additionalProperties;
    this.minProperties = typeof schema.minProperties === 'number' ? schema.minProperties : undefined;
    this.maxProperties = typeof schema.maxProperties === 'number' ? schema.maxProperties : undefined;
    this.required = Array.isArray(schema.required) ? (schema.required as string[]) : undefined;
    this.open = schema.additionalProperties !== undefined || schema['x-kubernetes-preserve-unknown-fields'] === true;
    this.embedded = schema['x-kubernetes-embedded-resource'] === true;
  }
}

const shapes = new WeakMap<Schema, Shape>();

function shapeOf(schema: Schema): Shape {
  let shape = shapes.get(schema);
  if (shape === undefined) {
    shape = new Shape(schema);
    shapes.set(schema, shape);
  }
  return shape;
}

/** Validates `data` at `path` against `schema`, appending problems. `closed` is false inside logic branches. */
function walk(raw: Schema, data: unknown, path: string, parent: Ctx, closed: boolean): void {
  const rawShape = shapeOf(raw);
  const schema = rawShape.ref ? resolve(raw, parent) : raw;
  // Built-in definitions reached through $ref (ObjectMeta in a custom resource) are not structural.
  const ctx = rawShape.ref && parent.structural === true ? { ...parent, structural: false } : parent;
  if (schema === undefined) {
    push(ctx, path, `schema reference ${String(raw.$ref)} cannot be resolved`, 'warning');
    return;
  }
  const shape = schema === raw ? rawShape : shapeOf(schema);
  if (data === null && shape.nullable) return;
  if (shape.intOrString) {
    if (!(typeof data === 'string' || (typeof data === 'number' && Number.isInteger(data)))) {
      push(ctx, path, `wrong type: got ${describe(data)}; expected an integer or a string`);
      return;
    }
  } else if (shape.type !== undefined && !typeMatches(shape.type, data)) {
    push(ctx, path, `wrong type: got ${describe(data)}; expected ${shape.type}`);
    return;
  }
  if (shape.quantity && !isQuantity(data)) {
    push(
      ctx,
      path,
      `invalid quantity ${describe(data)}: expected a number with an optional suffix such as 100m, 128Mi, 1.5Gi or 1e3`,
    );
    return;
  }
  if (shape.enumJson !== undefined && !shape.enumJson.includes(JSON.stringify(data) as string))
    push(ctx, path, `got ${describe(data)}; expected one of ${(shape.enumJson as string[]).join(', ')}`);
  if (shape.format !== undefined) {
    const err = formatError(shape.format, data);
    if (err !== undefined) push(ctx, path, `got ${describe(data)}; ${err} (format ${shape.format})`);
  }
  if (typeof data === 'string') {
    if (shape.stringChecks) checkString(schema, data, path, ctx);
  } else if (typeof data === 'number') {
    if (shape.numberChecks) checkNumber(schema, data, path, ctx);
  } else if (Array.isArray(data)) checkArray(schema, data, path, ctx, closed);
  else if (isObject(data)) checkObject(shape, data, path, ctx, closed);
  if (shape.logic) checkLogic(schema, data, path, ctx);
  if (shape.cel) checkCel(schema, data, path, ctx);
}

function checkString(schema: Schema, data: string, path: string, ctx: Ctx): void {
  const { minLength, maxLength } = schema;
  if (typeof minLength === 'number' || typeof maxLength === 'number') {
    const length = [...data].length; // code points, as the API server counts
    if (typeof minLength === 'number' && length < minLength)
      push(ctx, path, `got ${describe(data)}; expected at least ${minLength} characters`);
    if (typeof maxLength === 'number' && length > maxLength)
      push(ctx, path, `got ${length} characters; expected at most ${maxLength}`);
  }
  if (typeof schema.pattern === 'string') {
    const re = regex(schema.pattern);
    if (re instanceof Error) push(ctx, path, `pattern ${schema.pattern} not checked: ${re.message}`, 'warning');
    else if (!re.test(data)) push(ctx, path, `got ${describe(data)}; expected a string matching ${schema.pattern}`);
  }
}

function checkNumber(schema: Schema, data: number, path: string, ctx: Ctx): void {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = schema;
  if (typeof minimum === 'number' && (exclusiveMinimum === true ? data <= minimum : data < minimum))
    push(ctx, path, `got ${data}; expected ${exclusiveMinimum === true ? '>' : '>='} ${minimum}`);
  if (typeof maximum === 'number' && (exclusiveMaximum === true ? data >= maximum : data > maximum))
    push(ctx, path, `got ${data}; expected ${exclusiveMaximum === true ? '<' : '<='} ${maximum}`);
  if (typeof exclusiveMinimum === 'number' && data <= exclusiveMinimum)
    push(ctx, path, `got ${data}; expected > ${exclusiveMinimum}`);
  if (typeof exclusiveMaximum === 'number' && data >= exclusiveMaximum)
    push(ctx, path, `got ${data}; expected < ${exclusiveMaximum}`);
  if (
    typeof multipleOf === 'number' &&
    multipleOf > 0 &&
    Math.abs(data / multipleOf - Math.round(data / multipleOf)) > 1e-9
  )
    push(ctx, path, `got ${data}; expected a multiple of ${multipleOf}`);
}

function checkArray(schema: Schema, data: unknown[], path: string, ctx: Ctx, closed: boolean): void {
  if (typeof schema.minItems === 'number' && data.length < schema.minItems)
    push(ctx, path, `got ${data.length} items; expected at least ${schema.minItems}`);
  if (typeof schema.maxItems === 'number' && data.length > schema.maxItems)
    push(ctx, path, `got ${data.length} items; expected at most ${schema.maxItems}`);
  const listType = schema['x-kubernetes-list-type'];
  if (schema.uniqueItems === true || listType === 'set' || listType === 'map') {
    const keys =
      listType === 'map' && Array.isArray(schema['x-kubernetes-list-map-keys'])
        ? (schema['x-kubernetes-list-map-keys'] as string[])
        : undefined;
    const seen = new Map<string, number>();
    data.forEach((item, i) => {
      const id =
        keys === undefined
          ? JSON.stringify(item)
          : JSON.stringify(keys.map((k) => (isObject(item) ? (item[k] ?? null) : null)));
      const first = seen.get(id);
      if (first === undefined) seen.set(id, i);
      else
        push(
          ctx,
          `${path}[${i}]`,
          `duplicate ${keys === undefined ? 'item' : `key (${keys.join(', ')}) = ${id}`}: same as [${first}]`,
        );
    });
  }
  if (isObject(schema.items)) {
    const items = schema.items;
    data.forEach((item, i) => walk(items, item, `${path}[${i}]`, ctx, closed));
  }
}

function checkObject(shape: Shape, data: Record<string, unknown>, path: string, ctx: Ctx, closed: boolean): void {
  const props = shape.properties;
  const extra = shape.additionalProperties;
  const keys = Object.keys(data);
  if (shape.minProperties !== undefined && keys.length < shape.minProperties)
    push(ctx, path, `got ${keys.length} fields; expected at least ${shape.minProperties}`);
  if (shape.maxProperties !== undefined && keys.length > shape.maxProperties)
    push(ctx, path, `got ${keys.length} fields; expected at most ${shape.maxProperties}`);
  if (ctx.allowMissingRequired !== true && shape.required !== undefined) {
    for (const r of shape.required)
      if (data[r] === undefined) push(ctx, joinField(path, r), 'required field is missing');
  }
  const open = shape.open;
  const rejectUnknown =
    extra === false ||
    (closed && !open && props !== undefined) ||
    (closed && !open && ctx.structural === true && !shape.embedded);
  const walkExtra = isObject(extra) ? extra : undefined;
  for (const k of keys) {
    const sub = props?.[k];
    const at = joinField(path, k);
    if (isObject(sub)) walk(sub, data[k], at, ctx, closed);
    else if (walkExtra !== undefined) walk(walkExtra, data[k], at, ctx, closed);
    else if (rejectUnknown) push(ctx, at, 'unknown field (not in the schema)');
  }
  if (shape.embedded) {
    for (const k of ['apiVersion', 'kind'])
      if (typeof data[k] !== 'string' || data[k] === '') push(ctx, joinField(path, k), 'embedded resource must set it');
  }
}

function passes(schema: Schema, data: unknown, path: string, ctx: Ctx): boolean {
  const sub: Ctx = { ...ctx, problems: [] };
  walk(schema, data, path, sub, false);
  return sub.problems.every((p) => p.severity === 'warning');
}

function branchSummary(branches: Schema[]): string {
  const types = branches.map((b) =>
    typeof b.type === 'string'
      ? b.type
      : Array.isArray(b.required)
        ? `an object with ${(b.required as string[]).join(', ')}`
        : 'another form',
  );
  return [...new Set(types)].join(' or ');
}

function checkLogic(schema: Schema, data: unknown, path: string, ctx: Ctx): void {
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf) if (isObject(s)) walk(s, data, path, ctx, false);
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf.filter(isObject);
    if (!branches.some((b) => passes(b, data, path, ctx)))
      push(ctx, path, `got ${describe(data)}; expected ${branchSummary(branches)}`);
  }
  if (Array.isArray(schema.oneOf)) {
    const branches = schema.oneOf.filter(isObject);
    const n = branches.filter((b) => passes(b, data, path, ctx)).length;
    if (n !== 1)
      push(ctx, path, `got ${describe(data)}; expected exactly one of: ${branchSummary(branches)} (${n} match)`);
  }
  if (isObject(schema.not) && passes(schema.not, data, path, ctx))
    push(ctx, path, `got ${describe(data)}; a form the schema forbids`);
}

function checkCel(schema: Schema, data: unknown, path: string, ctx: Ctx): void {
  for (const rule of schema['x-kubernetes-validations'] as CelRule[]) {
    if (!isObject(rule) || typeof rule.rule !== 'string') continue;
    const outcome = evaluateRule(rule, data, schema);
    if (outcome.kind === 'fail') {
      const fp = outcome.fieldPath;
      const at =
        fp !== undefined && fp !== ''
          ? `${path}${fp.startsWith('.') || fp.startsWith('[') ? '' : '.'}${fp}`.replace(/^\./, '')
          : path;
      push(ctx, at, outcome.message);
    } else if (outcome.kind === 'unsupported') push(ctx, path, outcome.message, 'warning');
  }
}

/** Validates `data` against a structural schema; problems carry field paths from the root. */
export function validateAgainst(schema: Schema, data: unknown, opts: WalkOptions = {}): SchemaProblem[] {
  const ctx: Ctx = { ...opts, problems: [] };
  walk(schema, data, '', ctx, true);
  return ctx.problems;
}
