import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { escapeCelProperty, evaluateRule, toCelValue, type CelRule } from './cel';
import { resolveSchemasDir } from './schemas-dir';
import { parseCrdFile } from './crd-json-cache';
import { userCrdJsonCacheDir } from '../schemas/cache-dir';
import { isQuantity } from './quantity';

describe('the RE2 engine', () => {
  it('is the one @bufbuild/cel itself loads: one copy, the exact version it depends on', () => {
    const cels = require.resolve('@bufbuild/re2', { paths: [dirname(require.resolve('@bufbuild/cel'))] });
    expect(require.resolve('@bufbuild/re2')).toBe(cels);
  });
});

describe('CEL evaluation', () => {
  it('escapes property names as Kubernetes does', () => {
    expect(escapeCelProperty('namespace')).toBe('__namespace__');
    expect(escapeCelProperty('a-b.c/d')).toBe('a__dash__b__dot__c__slash__d');
    expect(escapeCelProperty('x__y')).toBe('x__underscores__y');
  });

  it('turns schema integers into CEL ints and escapes reserved names', () => {
    const schema = {
      type: 'object',
      properties: { n: { type: 'integer' }, f: { type: 'number' }, namespace: { type: 'string' } },
    };
    expect(toCelValue({ n: 3, f: 3, namespace: 'x' }, schema)).toEqual({ n: 3n, f: 3, __namespace__: 'x' });
    expect(
      evaluateRule({ rule: 'self.n == 3 && self.__namespace__ == "x"' }, { n: 3, namespace: 'x' }, schema),
    ).toEqual({
      kind: 'pass',
    });
  });

  it('supports the functions the pinned CRDs use', () => {
    const pass = (rule: string, self: unknown): void =>
      expect(evaluateRule({ rule }, self, undefined)).toEqual({ kind: 'pass' });
    pass("self.matches('^[a-z]+$')", 'abc');
    pass('self.lowerAscii() == "abc"', 'ABC');
    pass("duration(self) >= duration('1s')", '5s');
    pass("'Create' in self.p", { p: ['Create'] });
    pass('!has(self.a) || size(self.a) > 0', {});
    pass('self.all(x, x.size() < 3)', ['a', 'bb']);
  });

  it('fails with the rule message, and reports unsupported or malformed rules instead of passing them', () => {
    expect(evaluateRule({ rule: 'self.size() > 3', message: 'too short' }, 'ab', undefined)).toEqual({
      kind: 'fail',
      message: 'too short (rule: self.size() > 3)',
      fieldPath: undefined,
    });
    expect(evaluateRule({ rule: 'self.a == 1' }, {}, undefined)).toMatchObject({
      kind: 'fail',
      message: expect.stringContaining('field not found'),
    });
    expect(evaluateRule({ rule: 'url(self).getHost() == "x"' }, 'https://x', undefined)).toMatchObject({
      kind: 'unsupported',
    });
    expect(evaluateRule({ rule: 'self.(' }, 'x', undefined)).toMatchObject({ kind: 'unsupported' });
    expect(evaluateRule({ rule: 'self == oldSelf' }, 'x', undefined)).toEqual({ kind: 'transition' });
  });
});

describe('quantities', () => {
  it.each(['1', '100m', '1.5Gi', '128Mi', '1e3', '2E-2', '+5k', '.5', '10n', '3u', '1Ei'])('accepts %s', (q) =>
    expect(isQuantity(q)).toBe(true),
  );
  it.each(['', '1.5x', 'Gi', '1 Gi', '1GB', '--1', '1e', '1Mii'])('rejects %p', (q) =>
    expect(isQuantity(q)).toBe(false),
  );
});

describe('the pinned CRDs', () => {
  it('use only CEL this validator evaluates (no rule would be reported as not evaluated)', () => {
    const dir = join(resolveSchemasDir(), 'crds');
    const unsupported: string[] = [];
    let rules = 0;
    const sample = (schema: Record<string, unknown>, rule: string): unknown => {
      if (schema.type === 'string') return rule.includes('duration(') ? '60s' : 'x';
      if (schema.type === 'array') return [];
      return {};
    };
    const walk = (s: unknown): void => {
      if (Array.isArray(s)) return s.forEach(walk);
      if (s === null || typeof s !== 'object') return;
      const schema = s as Record<string, unknown>;
      const list = schema['x-kubernetes-validations'];
      if (Array.isArray(list)) {
        for (const r of list as CelRule[]) {
          rules++;
          const outcome = evaluateRule(r, sample(schema, r.rule), schema);
          if (outcome.kind === 'unsupported') unsupported.push(outcome.message);
        }
      }
      Object.values(schema).forEach(walk);
    };
    // every document, read as `platform validate` reads a CRD file (the YAML parsed once, then its cached JSON)
    const cache = userCrdJsonCacheDir();
    for (const f of readdirSync(dir)) parseCrdFile(f, readFileSync(join(dir, f), 'utf8'), cache).forEach(walk);
    expect(rules).toBeGreaterThan(100);
    expect(unsupported).toEqual([]);
  });
});
