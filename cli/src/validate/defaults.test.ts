import { withDefaults } from './defaults';

const schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        policies: { type: 'array', items: { type: 'string' }, default: ['*'] },
        ports: {
          type: 'array',
          items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' } } },
        },
        nested: { type: 'object', default: {}, properties: { mode: { type: 'string', default: 'auto' } } },
      },
    },
    labels: { type: 'object', additionalProperties: { type: 'object', properties: { v: { default: 1 } } } },
  },
};

describe('withDefaults', () => {
  it('fills absent fields, defaults inside defaults too, in the order an assignment would, without mutating', () => {
    const data = { spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }, labels: { a: {} } };
    const before = structuredClone(data);
    const out = withDefaults(data, schema) as typeof data & { spec: Record<string, unknown> };
    expect(out).toEqual({
      spec: {
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
        policies: ['*'],
        nested: { mode: 'auto' },
      },
      labels: { a: { v: 1 } },
    });
    expect(Object.keys(out.spec)).toEqual(['ports', 'policies', 'nested']);
    expect(data).toEqual(before);
    // what did not change is shared, not copied
    expect(out.spec.ports).not.toBe(data.spec.ports);
    expect((out.spec.ports as unknown[])[1]).toBe(data.spec.ports[1]);
  });

  it('returns the object itself when there is nothing to default', () => {
    const data = {
      spec: { policies: ['Observe'], ports: [{ protocol: 'TCP' }], nested: { mode: 'manual' } },
      labels: { a: { v: 2 } },
    };
    expect(withDefaults(data, schema)).toBe(data);
    expect(withDefaults('text', schema)).toBe('text');
    expect(withDefaults(data, undefined)).toBe(data);
  });

  it('does not share a default between objects', () => {
    const a = withDefaults({ spec: {} }, schema) as { spec: { policies: string[] } };
    const b = withDefaults({ spec: {} }, schema) as { spec: { policies: string[] } };
    expect(a.spec.policies).toEqual(['*']);
    expect(a.spec.policies).not.toBe(b.spec.policies);
  });
});
