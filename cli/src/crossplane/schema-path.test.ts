import { transformedType } from './checks';
import { assignable, schemaAt, schemaType } from './schema-path';

const schema = {
  type: 'object',
  properties: {
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        rules: { type: 'array', items: { type: 'object', properties: { days: { type: 'integer' } } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

describe('schema paths', () => {
  it('follow properties, array items, map values and ObjectMeta', () => {
    expect(schemaType(schemaAt(schema, 'spec.rules[0].days'))).toBe('integer');
    expect(schemaType(schemaAt(schema, 'spec.tags[team]'))).toBe('string');
    expect(schemaType(schemaAt(schema, 'metadata.annotations[crossplane.io/external-name]'))).toBe('string');
    expect(schemaType(schemaAt(schema, 'spec.free.anything.below'))).toBe('any');
  });

  it('return undefined for fields the schema does not have', () => {
    expect(schemaAt(schema, 'spec.rule[0].days')).toBeUndefined();
    expect(schemaAt(schema, 'spec.rules[0].day')).toBeUndefined();
    expect(schemaAt(schema, 'metadata.finalizer')).toBeUndefined();
  });

  it('allow integers where numbers are expected, not the reverse', () => {
    expect(assignable('integer', 'number')).toBe(true);
    expect(assignable('number', 'integer')).toBe(false);
    expect(assignable('string', 'any')).toBe(true);
  });
});

describe('transform types', () => {
  it('follow a chain: map to arrays, match results, string formats, conversions', () => {
    expect(transformedType([{ type: 'map', map: { Delete: ['*'], Orphan: ['Observe'] } }], 'string', ['Delete', 'Orphan'])).toEqual({ type: 'array' });
    expect(transformedType([{ type: 'match', match: { patterns: [{ type: 'literal', literal: 'a', result: 1 }], fallbackValue: 2 } }], 'string')).toEqual({ type: 'integer' });
    expect(transformedType([{ type: 'string', string: { type: 'Format', fmt: '%.0f days' } }], 'integer')).toEqual({ type: 'string' });
    // XR numbers reach the function as float64: %d prints %!d(float64=7) unless a convert made an int64 first.
    expect(transformedType([{ type: 'string', string: { type: 'Format', fmt: '%d days' } }], 'integer')).toEqual({
      error: 'transforms[0]: format verb %d does not accept a integer input (Go prints %!d(float64=...))',
    });
    expect(transformedType([{ type: 'convert', convert: { toType: 'int64' } }, { type: 'string', string: { type: 'Format', fmt: 'n=%d' } }], 'string')).toEqual({ type: 'string' });
  });

  it('report the transform that would fail at run time', () => {
    expect(transformedType([{ type: 'map', map: { a: 'b' } }], 'integer')).toEqual({ error: 'transforms[0]: a map transform needs a string input, got integer' });
    expect(transformedType([{ type: 'string', string: { type: 'Format', fmt: '%s-%s' } }], 'string')).toEqual({
      error: 'transforms[0]: format "%s-%s" must have exactly one verb for its one input, has 2',
    });
    expect(transformedType([{ type: 'math' }], 'integer')).toEqual({ error: 'transforms[0]: transform type math is not implemented by the offline renderer' });
  });
});
