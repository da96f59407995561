import type * as Cel from '@bufbuild/cel';
import type { CelResult } from '@bufbuild/cel';
import type * as CelExt from '@bufbuild/cel/ext';

/**
 * Evaluates the CEL rules of `x-kubernetes-validations` the way the API server does on create, with
 * `@bufbuild/cel` plus the CEL string extension (lowerAscii, ...). The pinned schemas use: self, has(), size(),
 * `in`, string functions, matches(), duration() and comparisons (see docs/validation.md for the scan).
 * Functions of the Kubernetes libraries that are not implemented (quantity(), url(), ...) make the rule
 * "not evaluated", reported as a warning naming the rule, never as a pass.
 */

/** One entry of `x-kubernetes-validations`. */
export interface CelRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
  readonly optionalOldSelf?: boolean;
}

export type CelOutcome =
  | { readonly kind: 'pass' }
  | { readonly kind: 'fail'; readonly message: string; readonly fieldPath?: string }
  | { readonly kind: 'transition' }
  | { readonly kind: 'unsupported'; readonly message: string };

type Program = (ctx: Record<string, unknown>) => CelResult;

interface Matcher {
  test(text: string): boolean;
}

/**
 * The RE2 engine @bufbuild/cel itself uses (the CLI depends on the exact version @bufbuild/cel does, so there is one
 * copy: cel.test.ts checks it), with each pattern compiled once: CEL's `matches()` compiles its pattern on every call
 * otherwise, and compiling was most of the CEL time of a validate run. A pattern that does not compile is not cached:
 * it throws again, as it would have.
 */
function cachingRe2(): { compile(pattern: string): Matcher } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy CJS load, with @bufbuild/cel
  const { RE2JS } = require('@bufbuild/re2') as { RE2JS: { compile(pattern: string): Matcher } };
  const compiled = new Map<string, Matcher>();
  return {
    compile(pattern: string): Matcher {
      let m = compiled.get(pattern);
      if (m === undefined) {
        m = RE2JS.compile(pattern);
        compiled.set(pattern, m);
      }
      return m;
    },
  };
}

interface Runtime {
  readonly env: Cel.CelEnv;
  readonly lib: typeof Cel;
}

let runtime: Runtime | undefined;

/** @bufbuild/cel, loaded when the first rule is evaluated (~0.1 s to load; many runs evaluate none). */
function cel(): Runtime {
  if (runtime === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy CJS load; import() would need '.js' paths jest cannot resolve
    const lib = require('@bufbuild/cel') as typeof Cel;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy CJS load
    const { strings } = require('@bufbuild/cel/ext') as typeof CelExt;
    runtime = { lib, env: lib.celEnv({ funcs: strings, re2: cachingRe2() }) };
  }
  return runtime;
}

const programs = new Map<string, Program | Error>();

function compile(expr: string): Program | Error {
  let p = programs.get(expr);
  if (p === undefined) {
    const { lib, env } = cel();
    try {
      p = lib.plan(env, lib.parse(expr)) as Program;
    } catch (err) {
      p = err instanceof Error ? err : new Error(String(err));
    }
    programs.set(expr, p);
  }
  return p;
}

/** CEL keywords that Kubernetes escapes as `__kw__` when they are property names. */
const CEL_RESERVED = new Set(
  'true false null in as break const continue else for function if import let loop package namespace return var void while'.split(
    ' ',
  ),
);

/** The property-name escaping of Kubernetes CEL: `namespace` -> `__namespace__`, `a-b` -> `a__dash__b`, ... */
export function escapeCelProperty(name: string): string {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  return name
    .replace(/__/g, '__underscores__')
    .replace(/\./g, '__dot__')
    .replace(/-/g, '__dash__')
    .replace(/\//g, '__slash__');
}

type Schema = Record<string, unknown>;

function sub(schema: Schema | undefined, key: 'items' | 'additionalProperties'): Schema | undefined {
  const s = schema?.[key];
  return s !== null && typeof s === 'object' ? (s as Schema) : undefined;
}

/**
 * Converts a decoded YAML value to CEL input using its schema: schema integers (and int-or-string numbers)
 * become CEL ints (bigint), other numbers doubles; property names are escaped as Kubernetes does.
 */
export function toCelValue(value: unknown, schema: Schema | undefined): unknown {
  if (typeof value === 'number') {
    const intLike = schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'] === true;
    return intLike && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) {
    const items = sub(schema, 'items');
    return value.map((v) => toCelValue(v, items));
  }
  if (value !== null && typeof value === 'object') {
    const props = (schema?.properties ?? {}) as Record<string, Schema>;
    const extra = sub(schema, 'additionalProperties');
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = schema?.properties !== undefined ? escapeCelProperty(k) : k;
      out[key] = toCelValue(v, props[k] ?? extra);
    }
    return out;
  }
  return value;
}

const RUNTIME_DATA_ERRORS = /field not found|no such key|no such attribute|index out of (range|bounds)/i;

/** Evaluates one rule against `self` (the value the rule is attached to) described by `schema`. */
export function evaluateRule(rule: CelRule, self: unknown, schema: Schema | undefined): CelOutcome {
  // Transition rules compare with the stored object; on create (what an offline check models) the API server
  // does not run them.
  if (/\boldSelf\b/.test(rule.rule)) return { kind: 'transition' };
  const program = compile(rule.rule);
  if (program instanceof Error)
    return { kind: 'unsupported', message: `CEL rule not evaluated (${program.message}): ${rule.rule}` };
  const result = program({ self: toCelValue(self, schema) });
  if (result === true) return { kind: 'pass' };
  const fieldPath = rule.fieldPath;
  if (cel().lib.isCelError(result)) {
    // Reading an absent field without has() is an evaluation error the API server reports as invalid.
    if (RUNTIME_DATA_ERRORS.test(result.message))
      return { kind: 'fail', message: `CEL rule failed to evaluate (${result.message}): ${rule.rule}`, fieldPath };
    return { kind: 'unsupported', message: `CEL rule not evaluated (${result.message}): ${rule.rule}` };
  }
  if (result !== false)
    return { kind: 'unsupported', message: `CEL rule returned a non-boolean (${String(result)}): ${rule.rule}` };
  return { kind: 'fail', message: failureMessage(rule, self, schema), fieldPath };
}

function failureMessage(rule: CelRule, self: unknown, schema: Schema | undefined): string {
  if (rule.messageExpression !== undefined) {
    const program = compile(rule.messageExpression);
    if (!(program instanceof Error)) {
      const msg = program({ self: toCelValue(self, schema) });
      if (typeof msg === 'string' && msg !== '') return `${msg} (rule: ${rule.rule})`;
    }
  }
  if (rule.message !== undefined && rule.message !== '') return `${rule.message} (rule: ${rule.rule})`;
  return `failed rule: ${rule.rule}`;
}
