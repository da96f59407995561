import { sprintf } from './sprintf';

/**
 * The function-patch-and-transform v0.10 transforms this platform's Compositions use, with the function's
 * semantics: map, match (literal, regexp), string (Format, Convert ToUpper/ToLower/ToJson) and convert.
 * Values are JSON values; integers stand for Go's int64, other numbers for float64.
 */

export interface Transform {
  readonly type: string;
  readonly map?: Readonly<Record<string, unknown>>;
  readonly match?: {
    readonly patterns?: readonly { readonly type?: string; readonly literal?: string; readonly regexp?: string; readonly result?: unknown }[];
    readonly fallbackTo?: 'Value' | 'Input';
    readonly fallbackValue?: unknown;
  };
  readonly string?: { readonly type?: string; readonly fmt?: string; readonly convert?: string };
  readonly convert?: { readonly toType: string; readonly format?: string };
}

export class TransformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransformError';
  }
}

/** The Go type name of a JSON value, as the function's errors print it. */
export function goTypeOf(v: unknown): 'string' | 'int64' | 'float64' | 'bool' | 'array' | 'object' | 'null' {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return 'array';
  if (v === null || v === undefined) return 'null';
  return 'object';
}

function resolveMap(t: Transform, input: unknown): unknown {
  if (typeof input !== 'string') throw new TransformError(`type ${goTypeOf(input)} is not supported for map transform`);
  const pairs = t.map ?? {};
  if (!Object.prototype.hasOwnProperty.call(pairs, input)) throw new TransformError(`key ${input} is not found in map`);
  return structuredClone(pairs[input]);
}

function resolveMatch(t: Transform, input: unknown): unknown {
  const m = t.match ?? {};
  for (const [i, p] of (m.patterns ?? []).entries()) {
    const type = p.type ?? 'literal';
    if (typeof input !== 'string') throw new TransformError(`cannot match pattern at index ${i}: unsupported input type '${goTypeOf(input)}'`);
    let matches: boolean;
    if (type === 'literal') {
      if (p.literal === undefined) throw new TransformError(`cannot match pattern at index ${i}: literal is required by type literal`);
      matches = input === p.literal;
    } else if (type === 'regexp') {
      if (p.regexp === undefined) throw new TransformError(`cannot match pattern at index ${i}: regexp is required by type regexp`);
      matches = new RegExp(p.regexp).test(input);
    } else throw new TransformError(`cannot match pattern at index ${i}: unsupported pattern type '${type}'`);
    if (matches) return structuredClone(p.result);
  }
  if (m.fallbackTo === 'Input') {
    if (m.fallbackValue !== undefined) throw new TransformError('cannot set both a fallback value and the fallback to input flag');
    return input;
  }
  return structuredClone(m.fallbackValue);
}

/** Go's fmt %v of a value (what Convert ToUpper/ToLower stringify first). */
function goString(v: unknown): string {
  return sprintf('%v', [v]);
}

function resolveString(t: Transform, input: unknown): string {
  const s = t.string ?? {};
  switch (s.type ?? 'Format') {
    case 'Format':
      if (s.fmt === undefined) throw new TransformError('string transform of type Format fmt is not set');
      return sprintf(s.fmt, [input]);
    case 'Convert':
      switch (s.convert) {
        case 'ToUpper':
          return goString(input).toUpperCase();
        case 'ToLower':
          return goString(input).toLowerCase();
        case 'ToJson':
          return JSON.stringify(input ?? null);
        default:
          throw new TransformError(`type ${String(s.convert)} is not supported for string convert`);
      }
    default:
      throw new TransformError(`type ${String(s.type)} is not supported for string transform type`);
  }
}

const CONVERSIONS: Record<string, (v: never) => unknown> = {
  'string->int64': (v: string) => {
    if (!/^[+-]?[0-9]+$/.test(v)) throw new TransformError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    return Number.parseInt(v, 10);
  },
  'string->bool': (v: string) => {
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
    if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
    throw new TransformError(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
  },
  'string->float64': (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || Number.isNaN(n)) throw new TransformError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    return n;
  },
  'int64->string': (v: number) => String(v),
  'int64->bool': (v: number) => v === 1,
  'int64->float64': (v: number) => v,
  'bool->string': (v: boolean) => String(v),
  'bool->int64': (v: boolean) => (v ? 1 : 0),
  'bool->float64': (v: boolean) => (v ? 1 : 0),
  'float64->string': (v: number) => String(v),
  'float64->int64': (v: number) => Math.trunc(v),
};

/** The pairs `convert` supports without a format (`from->to`), for the static type check. */
export const CONVERTIBLE = new Set(Object.keys(CONVERSIONS));

function resolveConvert(t: Transform, input: unknown): unknown {
  const c = t.convert;
  if (!c) throw new TransformError('given transform type convert requires configuration');
  if (c.format !== undefined && c.format !== 'none') throw new TransformError(`convert format ${c.format} is not implemented by this renderer`);
  const to = c.toType === 'int' ? 'int64' : c.toType;
  const from = goTypeOf(input);
  if (from === to) return input;
  const f = CONVERSIONS[`${from}->${to}`];
  if (!f) throw new TransformError(`conversion from ${from} to ${to} is not supported with format none`);
  return f(input as never);
}

/** Applies one transform. */
export function resolveTransform(t: Transform, input: unknown): unknown {
  switch (t.type) {
    case 'map':
      return resolveMap(t, input);
    case 'match':
      return resolveMatch(t, input);
    case 'string':
      return resolveString(t, input);
    case 'convert':
      return resolveConvert(t, input);
    default:
      throw new TransformError(`transform type ${t.type} is not supported by this renderer`);
  }
}

/** Applies transforms in order; errors name the failing index like the function does. */
export function resolveTransforms(ts: readonly Transform[] | undefined, input: unknown): unknown {
  let v = input;
  (ts ?? []).forEach((t, i) => {
    try {
      v = resolveTransform(t, v);
    } catch (err) {
      throw new TransformError(`transform at index ${i} returned error: ${(err as Error).message}`);
    }
  });
  return v;
}
