/**
 * A small typed field-spec DSL: the ONE definition of an XR's user-facing fields. From a field tree we derive
 * - the XRD's openAPIV3Schema (descriptions, defaults, enums, patterns, bounds, CEL `x-kubernetes-validations`),
 * - the TypeScript props type of the cdk8s construct (`SpecOf<typeof fields>`),
 * - the construct's early validation and serialization (`validateSpec`, `serializeSpec`).
 * Changing a field here changes all of them at once.
 */

/** A CEL rule evaluated by the API server (`x-kubernetes-validations`). */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
}

interface FieldBase {
  /** Shown by `kubectl explain` and in docs/crossplane.md. */
  readonly description: string;
  /** The field may be left out (a field with a `default` is always optional). */
  readonly optional?: boolean;
  readonly validations?: readonly CelRule[];
}

export interface StringField extends FieldBase {
  readonly type: 'string';
  readonly enum?: readonly string[];
  readonly pattern?: string;
  /** Said in error messages instead of the raw pattern. */
  readonly patternHint?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly default?: string;
}

export interface IntegerField extends FieldBase {
  readonly type: 'integer';
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: number;
}

export interface BooleanField extends FieldBase {
  readonly type: 'boolean';
  readonly default?: boolean;
}

export interface ArrayField extends FieldBase {
  readonly type: 'array';
  readonly items: Field;
  readonly minItems?: number;
  readonly maxItems?: number;
  /** `set`: items are unique scalars. */
  readonly listType?: 'atomic' | 'set';
}

export interface ObjectField extends FieldBase {
  readonly type: 'object';
  readonly properties: Fields;
}

export type Field = StringField | IntegerField | BooleanField | ArrayField | ObjectField;

function defaultOf(field: Field): unknown {
  return field.type === 'string' || field.type === 'integer' || field.type === 'boolean' ? field.default : undefined;
}
export type Fields = { readonly [name: string]: Field };

// ---------------------------------------------------------------------------------------------------------------
// Types derived from a field tree (declare trees `as const satisfies Fields` to keep literal enum and default types).

type HasNoRequired<P> = { [K in keyof P]: IsOptional<P[K]> extends true ? never : K }[keyof P] extends never ? true : false;

/** A field is optional when marked so, when it has a default, or when it is an object with no required child. */
export type IsOptional<F> = F extends { readonly optional: true }
  ? true
  : F extends { readonly default: unknown }
    ? true
    : F extends { readonly type: 'object'; readonly properties: infer P }
      ? HasNoRequired<P>
      : false;

/** The TypeScript value type of one field. */
export type ValueOf<F> = F extends { readonly type: 'string'; readonly enum: readonly (infer E)[] }
  ? E
  : F extends { readonly type: 'string' }
    ? string
    : F extends { readonly type: 'integer' }
      ? number
      : F extends { readonly type: 'boolean' }
        ? boolean
        : F extends { readonly type: 'array'; readonly items: infer I }
          ? readonly ValueOf<I>[]
          : F extends { readonly type: 'object'; readonly properties: infer P }
            ? SpecOf<P>
            : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The TypeScript type of an object whose fields are described by `P`. */
export type SpecOf<P> = Simplify<
  { readonly [K in keyof P as IsOptional<P[K]> extends true ? never : K]: ValueOf<P[K]> } & {
    readonly [K in keyof P as IsOptional<P[K]> extends true ? K : never]?: ValueOf<P[K]>;
  }
>;

// ---------------------------------------------------------------------------------------------------------------
// Runtime: schema, validation, serialization.

/** True when the field may be left out. Mirrors `IsOptional`. */
export function isOptional(field: Field): boolean {
  if (field.optional === true || defaultOf(field) !== undefined) return true;
  if (field.type === 'object') return Object.values(field.properties).every(isOptional);
  return false;
}

/** The OpenAPI v3 (Kubernetes structural) schema of one field. */
export function fieldSchema(field: Field): Record<string, unknown> {
  const s: Record<string, unknown> = { type: field.type, description: field.description };
  switch (field.type) {
    case 'string':
      if (field.enum) s.enum = [...field.enum];
      if (field.pattern !== undefined) s.pattern = field.pattern;
      if (field.minLength !== undefined) s.minLength = field.minLength;
      if (field.maxLength !== undefined) s.maxLength = field.maxLength;
      break;
    case 'integer':
      if (field.minimum !== undefined) s.minimum = field.minimum;
      if (field.maximum !== undefined) s.maximum = field.maximum;
      break;
    case 'boolean':
      break;
    case 'array':
      s.items = fieldSchema(field.items);
      if (field.minItems !== undefined) s.minItems = field.minItems;
      if (field.maxItems !== undefined) s.maxItems = field.maxItems;
      if (field.listType) s['x-kubernetes-list-type'] = field.listType;
      break;
    case 'object': {
      Object.assign(s, objectSchema(field.properties, field.description));
      // Structural defaulting only descends into objects that exist: an all-optional object defaults to {} so
      // the defaults of its children always apply.
      if (isOptional(field)) s.default = {};
      break;
    }
  }
  if (defaultOf(field) !== undefined) s.default = defaultOf(field);
  if (field.validations && field.validations.length > 0) {
    s['x-kubernetes-validations'] = field.validations.map((v) => ({ rule: v.rule, message: v.message }));
  }
  return s;
}

/** The OpenAPI v3 schema of an object with the given fields (used for an XR's `spec` and `status`). */
export function objectSchema(fields: Fields, description: string, validations: readonly CelRule[] = []): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(fields)) {
    properties[name] = fieldSchema(field);
    if (!isOptional(field)) required.push(name);
  }
  const s: Record<string, unknown> = { type: 'object', description, properties };
  if (required.length > 0) s.required = required;
  if (validations.length > 0) s['x-kubernetes-validations'] = validations.map((v) => ({ rule: v.rule, message: v.message }));
  return s;
}

function describeExpectation(field: Field): string {
  switch (field.type) {
    case 'string': {
      if (field.enum) return `one of ${field.enum.map((e) => JSON.stringify(e)).join(', ')}`;
      const parts = ['a string'];
      if (field.patternHint ?? field.pattern) parts.push(`matching ${field.patternHint ?? field.pattern}`);
      if (field.minLength !== undefined || field.maxLength !== undefined) parts.push(`of ${field.minLength ?? 0}-${field.maxLength ?? '∞'} characters`);
      return parts.join(' ');
    }
    case 'integer':
      return `an integer${field.minimum !== undefined ? ` >= ${field.minimum}` : ''}${field.maximum !== undefined ? ` and <= ${field.maximum}` : ''}`;
    case 'boolean':
      return 'true or false';
    case 'array':
      return `a list of ${field.minItems ?? 0}-${field.maxItems ?? '∞'} items${field.listType === 'set' ? ' without duplicates' : ''}`;
    case 'object':
      return `an object with fields ${Object.keys(field.properties).join(', ')}`;
  }
}

function problem(path: string, value: unknown, field: Field): string {
  return `${path}: got ${JSON.stringify(value) ?? 'nothing'}; expected ${describeExpectation(field)}`;
}

function validateField(field: Field, value: unknown, path: string, out: string[]): void {
  switch (field.type) {
    case 'string': {
      const ok =
        typeof value === 'string' &&
        (!field.enum || field.enum.includes(value)) &&
        (field.pattern === undefined || new RegExp(field.pattern).test(value)) &&
        (field.minLength === undefined || value.length >= field.minLength) &&
        (field.maxLength === undefined || value.length <= field.maxLength);
      if (!ok) out.push(problem(path, value, field));
      return;
    }
    case 'integer': {
      const ok =
        typeof value === 'number' &&
        Number.isInteger(value) &&
        (field.minimum === undefined || value >= field.minimum) &&
        (field.maximum === undefined || value <= field.maximum);
      if (!ok) out.push(problem(path, value, field));
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') out.push(problem(path, value, field));
      return;
    case 'array': {
      const ok =
        Array.isArray(value) &&
        (field.minItems === undefined || value.length >= field.minItems) &&
        (field.maxItems === undefined || value.length <= field.maxItems) &&
        (field.listType !== 'set' || new Set(value.map((v) => JSON.stringify(v))).size === value.length);
      if (!ok) {
        out.push(problem(path, value, field));
        return;
      }
      (value as unknown[]).forEach((item, i) => validateField(field.items, item, `${path}[${i}]`, out));
      return;
    }
    case 'object':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        out.push(problem(path, value, field));
        return;
      }
      validateObject(field.properties, value as Record<string, unknown>, path, out);
      return;
  }
}

function validateObject(fields: Fields, value: Record<string, unknown>, path: string, out: string[]): void {
  for (const key of Object.keys(value)) {
    if (!(key in fields)) out.push(`${path}.${key}: got unknown field ${JSON.stringify(key)}; expected one of ${Object.keys(fields).join(', ')}`);
  }
  for (const [name, field] of Object.entries(fields)) {
    const v = value[name];
    if (v === undefined) {
      if (!isOptional(field)) out.push(`${path}.${name}: got nothing; expected ${describeExpectation(field)} (required)`);
      continue;
    }
    validateField(field, v, `${path}.${name}`, out);
  }
}

/**
 * Checks a spec against the field tree: types, enums, patterns, bounds, required fields and unknown fields.
 * (CEL rules are evaluated by the API server, and offline by `cli/src/crossplane` tests against the XRD.)
 * Returns one message per problem, naming the field, the value got and what was expected.
 */
export function validateSpec(fields: Fields, spec: unknown, path = 'spec'): string[] {
  const out: string[] = [];
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return [`${path}: got ${JSON.stringify(spec)}; expected an object`];
  validateObject(fields, spec as Record<string, unknown>, path, out);
  return out;
}

/**
 * The spec as written into the XR: only the defined fields, in definition order, unset optional fields left out
 * (their defaults are applied by the API server from the XRD, so the default lives in one place).
 */
export function serializeSpec(fields: Fields, spec: object): Record<string, unknown> {
  const src = spec as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const v = src[name];
    if (v === undefined) continue;
    out[name] = serializeValue(field, v);
  }
  return out;
}

function serializeValue(field: Field, value: unknown): unknown {
  if (field.type === 'object') return serializeSpec(field.properties, value as object);
  if (field.type === 'array') return (value as unknown[]).map((v) => serializeValue(field.items, v));
  return value;
}

/** Every leaf path of a field tree (`github.allowedRefs[]`), for the one-definition drift tests. */
export function leafPaths(fields: Fields, prefix = ''): string[] {
  const out: string[] = [];
  for (const [name, field] of Object.entries(fields)) {
    const p = prefix ? `${prefix}.${name}` : name;
    if (field.type === 'object') out.push(...leafPaths(field.properties, p));
    else if (field.type === 'array' && field.items.type === 'object') out.push(...leafPaths(field.items.properties, `${p}[]`));
    else out.push(p);
  }
  return out;
}
