import Ajv, { type AnySchemaObject, type SchemaValidateFunction, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { evaluateRule, type CelRule } from './cel';
import type { SchemaProblem } from './problem';
import { isQuantity } from './quantity';

/**
 * An Ajv instance that understands the Kubernetes schema extensions: int-or-string, quantities, list-type
 * uniqueness, embedded resources and CEL rules. Warnings (rules that could not be evaluated) go to the
 * collector installed by `withWarnings` for the duration of one synchronous validation.
 */

let warningSink: SchemaProblem[] | undefined;
let currentRoot: unknown;

/** Runs `fn` (one synchronous validation of `root`) and returns the warnings raised meanwhile. */
export function withWarnings(root: unknown, fn: () => void): SchemaProblem[] {
  const sink: SchemaProblem[] = [];
  const prevSink = warningSink;
  const prevRoot = currentRoot;
  warningSink = sink;
  currentRoot = root;
  try {
    fn();
  } finally {
    warningSink = prevSink;
    currentRoot = prevRoot;
  }
  return sink;
}

export function warningRoot(): unknown {
  return currentRoot;
}

type Fn = SchemaValidateFunction & { errors?: Partial<ErrorObject>[] };

function keywordError(fn: Fn, keyword: string, message: string, params: Record<string, unknown> = {}): false {
  fn.errors = [{ keyword, message, params }];
  return false;
}

function intOrString(_schema: unknown, data: unknown): boolean {
  const fn = intOrString as unknown as Fn;
  if (typeof data === 'string' || (typeof data === 'number' && Number.isInteger(data))) return true;
  return keywordError(fn, 'x-kubernetes-int-or-string', `expected an integer or a string, got ${describe(data)}`);
}

function quantity(_schema: unknown, data: unknown): boolean {
  const fn = quantity as unknown as Fn;
  if (isQuantity(data)) return true;
  return keywordError(
    fn,
    'x-kubernetes-quantity',
    `invalid quantity ${describe(data)}: expected a number with an optional suffix such as 100m, 128Mi, 1.5Gi or 1e3`,
  );
}

function embedded(_schema: unknown, data: unknown): boolean {
  const fn = embedded as unknown as Fn;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return true;
  const obj = data as Record<string, unknown>;
  const missing = ['apiVersion', 'kind'].filter((k) => typeof obj[k] !== 'string' || obj[k] === '');
  if (missing.length === 0) return true;
  return keywordError(fn, 'x-kubernetes-embedded-resource', `embedded resource must set ${missing.join(' and ')}`);
}

function listType(schema: unknown, data: unknown, parent?: AnySchemaObject): boolean {
  const fn = listType as unknown as Fn;
  if (!Array.isArray(data) || (schema !== 'set' && schema !== 'map')) return true;
  const keys = schema === 'map' ? ((parent?.['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []) : [];
  const seen = new Map<string, number>();
  for (let i = 0; i < data.length; i++) {
    const item: unknown = data[i];
    const id =
      schema === 'set'
        ? JSON.stringify(item)
        : JSON.stringify(keys.map((k) => (item as Record<string, unknown> | null)?.[k] ?? null));
    const first = seen.get(id);
    if (first !== undefined) {
      const what = schema === 'set' ? `value ${JSON.stringify(item)}` : `key ${keys.join(',')}=${id}`;
      return keywordError(fn, 'x-kubernetes-list-type', `duplicate ${what}: items [${first}] and [${i}]`, {
        index: i,
      });
    }
    seen.set(id, i);
  }
  return true;
}

function celRules(schema: unknown, data: unknown, parent?: AnySchemaObject, ctx?: { instancePath: string }): boolean {
  const fn = celRules as unknown as Fn;
  if (!Array.isArray(schema)) return true;
  const errors: Partial<ErrorObject>[] = [];
  for (const rule of schema as CelRule[]) {
    const outcome = evaluateRule(rule, data, parent as Record<string, unknown> | undefined);
    if (outcome.kind === 'fail') {
      errors.push({
        keyword: 'x-kubernetes-validations',
        message: outcome.message,
        params: { fieldPath: outcome.fieldPath },
      });
    } else if (outcome.kind === 'unsupported') {
      warningSink?.push({ path: ctx?.instancePath ?? '', message: outcome.message, severity: 'warning' });
    }
  }
  fn.errors = errors;
  return errors.length === 0;
}

export function describe(data: unknown): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'an array';
  if (typeof data === 'object') return 'an object';
  if (typeof data === 'string') return JSON.stringify(data);
  return `${typeof data} ${String(data)}`;
}

/** Keywords the validator reads but that carry no check of their own. */
const ANNOTATION_KEYWORDS = [
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-group-version-kind',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-unions',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-action',
];

export function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: false,
    logger: false,
    validateSchema: false,
    // K8s schemas are large graphs of shared definitions; inline only small ones.
    inlineRefs: 8,
  });
  addFormats(ajv);
  ajv.addVocabulary(ANNOTATION_KEYWORDS);
  ajv.addKeyword({ keyword: 'x-kubernetes-int-or-string', validate: intOrString, errors: true });
  ajv.addKeyword({ keyword: 'x-kubernetes-quantity', validate: quantity, errors: true });
  ajv.addKeyword({ keyword: 'x-kubernetes-embedded-resource', validate: embedded, errors: true });
  ajv.addKeyword({ keyword: 'x-kubernetes-list-type', validate: listType, errors: true });
  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    validate: celRules as unknown as SchemaValidateFunction,
    errors: true,
  });
  return ajv;
}
