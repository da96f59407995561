import { validateAgainst } from './schema-walker';

describe('validateAgainst', () => {
  const schema = {
    type: 'object',
    properties: {
      mode: { type: 'string', enum: ['a', 'b'] },
      level: { enum: [1, null, { x: 1 }] },
      count: { type: 'integer', minimum: 1, maximum: 3, multipleOf: 1 },
      ratio: { type: 'number', exclusiveMinimum: 0 },
      name: { type: 'string', minLength: 2, maxLength: 4, pattern: '^[a-z]+$' },
      when: { type: 'string', format: 'date-time' },
      maybe: { type: 'string', nullable: true },
      port: { 'x-kubernetes-int-or-string': true },
      tags: { type: 'array', maxItems: 2, uniqueItems: true, items: { type: 'string' } },
      either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      one: { oneOf: [{ type: 'string' }, { type: 'string', minLength: 1 }] },
      never: { not: { type: 'string' } },
      all: { allOf: [{ type: 'string' }, { maxLength: 1 }] },
      checked: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() <= 3', message: 'short' }] },
    },
  };

  it('accepts what every check allows', () => {
    expect(
      validateAgainst(schema, {
        mode: 'a',
        level: { x: 1 },
        count: 2,
        ratio: 0.5,
        name: 'abc',
        when: '2024-01-01T00:00:00Z',
        maybe: null,
        port: 'http',
        tags: ['x', 'y'],
        either: 3,
        one: '',
        never: 1,
        all: 'a',
        checked: 'abc',
      }),
    ).toEqual([]);
  });

  it('reports each check that fails, with its path, once per schema object read (the same schema twice)', () => {
    const data = {
      mode: 'c',
      level: 2,
      count: 0,
      ratio: 0,
      name: 'ABCDE',
      when: 'yesterday',
      maybe: 1,
      port: 1.5,
      tags: ['x', 'x', 'y'],
      either: true,
      one: 'x',
      never: 's',
      all: 'ab',
      checked: 'abcd',
    };
    const expected = [
      { path: 'mode', message: 'got "c"; expected one of "a", "b"' },
      { path: 'level', message: 'got number 2; expected one of 1, null, {"x":1}' },
      { path: 'count', message: 'got 0; expected >= 1' },
      { path: 'ratio', message: 'got 0; expected > 0' },
      { path: 'name', message: 'got 5 characters; expected at most 4' },
      { path: 'name', message: 'got "ABCDE"; expected a string matching ^[a-z]+$' },
      { path: 'when', message: 'got "yesterday"; expected an RFC 3339 date-time (format date-time)' },
      { path: 'maybe', message: 'wrong type: got number 1; expected string' },
      { path: 'port', message: 'wrong type: got number 1.5; expected an integer or a string' },
      { path: 'tags', message: 'got 3 items; expected at most 2' },
      { path: 'tags[1]', message: 'duplicate item: same as [0]' },
      { path: 'either', message: 'got boolean true; expected string or integer' },
      { path: 'one', message: 'got "x"; expected exactly one of: string (2 match)' },
      { path: 'never', message: 'got "s"; a form the schema forbids' },
      { path: 'all', message: 'got 2 characters; expected at most 1' },
      { path: 'checked', message: 'short (rule: self.size() <= 3)' },
    ];
    expect(validateAgainst(schema, data)).toEqual(expected);
    expect(validateAgainst(schema, data)).toEqual(expected);
  });

  it('checks object fields: counts, required, unknown, additional, preserved and embedded', () => {
    const objects = {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string' },
        counted: { type: 'object', minProperties: 2, maxProperties: 2, additionalProperties: { type: 'integer' } },
        none: { type: 'object', additionalProperties: false },
        kept: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        bare: { type: 'object' },
        embedded: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          'x-kubernetes-preserve-unknown-fields': true,
        },
      },
    };
    const data = {
      counted: { a: 'x' },
      none: { b: 1 },
      kept: { c: 1 },
      bare: { d: 1 },
      embedded: { kind: '' },
      extra: 1,
    };
    const expected = [
      { path: 'id', message: 'required field is missing' },
      { path: 'counted', message: 'got 1 fields; expected at least 2' },
      { path: 'counted.a', message: 'wrong type: got "x"; expected integer' },
      { path: 'none.b', message: 'unknown field (not in the schema)' },
      { path: 'bare.d', message: 'unknown field (not in the schema)' },
      { path: 'embedded.apiVersion', message: 'embedded resource must set it' },
      { path: 'embedded.kind', message: 'embedded resource must set it' },
      { path: 'extra', message: 'unknown field (not in the schema)' },
    ];
    expect(validateAgainst(objects, data, { structural: true })).toEqual(expected);
    // not structural (the built-in definitions): a bare object keeps what it holds
    expect(validateAgainst(objects, data)).toEqual(expected.filter((p) => p.path !== 'bare.d'));
    expect(
      validateAgainst(objects, { id: 'x', counted: { a: 1, b: 2, c: 3 } }, { allowMissingRequired: true }),
    ).toEqual([{ path: 'counted', message: 'got 3 fields; expected at most 2' }]);
  });

  it('resolves a $ref into non-structural definitions', () => {
    const definitions = {
      Meta: { type: 'object', properties: { name: { type: 'string' } } },
      Bare: { type: 'object' },
    };
    const root = {
      type: 'object',
      properties: {
        meta: { $ref: '#/definitions/Meta' },
        bare: { $ref: '#/definitions/Bare' },
        gone: { $ref: '#/definitions/Gone' },
      },
    };
    expect(
      validateAgainst(
        root,
        { meta: { name: 1, x: 1 }, bare: { anything: 1 }, gone: 1 },
        { definitions, structural: true },
      ),
    ).toEqual([
      { path: 'meta.name', message: 'wrong type: got number 1; expected string' },
      { path: 'meta.x', message: 'unknown field (not in the schema)' },
      { path: 'gone', message: 'schema reference #/definitions/Gone cannot be resolved', severity: 'warning' },
    ]);
  });
});
