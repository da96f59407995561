import { applyDefaults } from './defaults';
import { getValue, parseFieldPath, setValue } from './fieldpath';
import { renderComposition, renderPatchAndTransform, RenderError, type RenderResult, type ResourcesInput } from './render';
import { sprintf } from './sprintf';
import { resolveTransforms } from './transforms';

/**
 * The renderer checked against the documented behaviour of function-patch-and-transform: the README's example,
 * the Crossplane "Function Patch and Transform" guide's patch and transform examples, and the function's source
 * (Go fmt, Required patches).
 */

const xr = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) => ({
  apiVersion: 'example.crossplane.io/v1',
  kind: 'XR',
  metadata: { name: 'example-xr', namespace: 'default' },
  spec,
  status,
});

const resources = (rs: ResourcesInput['resources'], patchSets: ResourcesInput['patchSets'] = []): ResourcesInput => ({
  apiVersion: 'pt.fn.crossplane.io/v1beta1',
  kind: 'Resources',
  patchSets,
  resources: rs,
});

/** The rendered object of the named composed resource (fails the test when it was not rendered). */
function rendered(result: RenderResult, name = 'bucket'): Record<string, unknown> {
  const r = result.resources.find((x) => x.name === name);
  if (!r) throw new Error(`${name} was not rendered`);
  return r.object;
}

const bucket = { apiVersion: 's3.aws.m.upbound.io/v1beta1', kind: 'Bucket', spec: { forProvider: { region: 'us-east-2' } } };

describe('field paths', () => {
  it('parses fields, indexes and bracketed map keys', () => {
    expect(parseFieldPath('metadata.annotations[crossplane.io/external-name]')).toEqual([{ field: 'metadata' }, { field: 'annotations' }, { field: 'crossplane.io/external-name' }]);
    expect(parseFieldPath('spec.refs[1].name')).toEqual([{ field: 'spec' }, { field: 'refs' }, { index: 1 }, { field: 'name' }]);
    expect(() => parseFieldPath('spec..x')).toThrow(/empty field name/);
    expect(() => parseFieldPath('spec[0')).toThrow(/unclosed/);
  });

  it('gets missing values as undefined and creates intermediate objects and arrays when setting', () => {
    const o: Record<string, unknown> = {};
    setValue(o, 'spec.list[1].name', 'b');
    expect(o).toEqual({ spec: { list: [null, { name: 'b' }] } });
    expect(getValue(o, 'spec.list[1].name')).toBe('b');
    expect(getValue(o, 'spec.list[5].name')).toBeUndefined();
    expect(getValue(o, 'spec.other')).toBeUndefined();
  });
});

describe('Go fmt subset', () => {
  it('formats %s, %d, %v and %% like Go', () => {
    expect(sprintf('%s-%s', ['field1-text', 'field2-text'])).toBe('field1-text-field2-text');
    expect(sprintf('%d days, 100%%', [7])).toBe('7 days, 100%');
    expect(sprintf('%v', [[1, 'a']])).toBe('[1 a]');
  });

  it('prints type mismatches the way Go does, so a wrong verb is visible in the output', () => {
    expect(sprintf('%d', ['abc'])).toBe('%!d(string=abc)');
    expect(sprintf('%s', [7])).toBe('%!s(int64=7)');
    expect(sprintf('%s %s', ['a'])).toBe('a %!s(MISSING)');
    expect(sprintf('%s', ['a', 'b'])).toBe('a%!(EXTRA string=b)');
  });
});

describe('transforms (Crossplane patch-and-transform guide examples)', () => {
  it('map: looks the input up as a key, fails on a missing key or a non-string input', () => {
    const t = [{ type: 'map', map: { EU: 'eu-north-1', US: 'us-east-2' } }];
    expect(resolveTransforms(t, 'EU')).toBe('eu-north-1');
    expect(() => resolveTransforms(t, 'APAC')).toThrow('transform at index 0 returned error: key APAC is not found in map');
    expect(() => resolveTransforms(t, 3)).toThrow(/type int64 is not supported for map transform/);
    expect(resolveTransforms([{ type: 'map', map: { Orphan: ['Observe', 'Create'] } }], 'Orphan')).toEqual(['Observe', 'Create']);
  });

  it('match: literal and regexp patterns, fallback value or input', () => {
    const match = {
      type: 'match',
      match: {
        patterns: [
          { type: 'literal', literal: 'field1-text', result: 'matched-literal' },
          { type: 'regexp', regexp: '.*field2', result: 'matched-regexp' },
        ],
        fallbackValue: 'no-match',
      },
    };
    expect(resolveTransforms([match], 'field1-text')).toBe('matched-literal');
    expect(resolveTransforms([match], 'my-field2')).toBe('matched-regexp');
    expect(resolveTransforms([match], 'other')).toBe('no-match');
    expect(resolveTransforms([{ type: 'match', match: { patterns: [], fallbackTo: 'Input' } }], 'kept')).toBe('kept');
  });

  it('string: Format and Convert', () => {
    expect(resolveTransforms([{ type: 'string', string: { type: 'Format', fmt: 'the-field-%s' } }], 'field1-text')).toBe('the-field-field1-text');
    expect(resolveTransforms([{ type: 'string', string: { type: 'Convert', convert: 'ToUpper' } }], 'field1-text')).toBe('FIELD1-TEXT');
    expect(resolveTransforms([{ type: 'string', string: { type: 'Convert', convert: 'ToLower' } }], 'FIELD2-TEXT')).toBe('field2-text');
    expect(resolveTransforms([{ type: 'string', string: { type: 'Convert', convert: 'ToJson' } }], { a: ['b'] })).toBe('{"a":["b"]}');
  });

  it('convert: between string, int64, bool and float64; unsupported pairs fail', () => {
    expect(resolveTransforms([{ type: 'convert', convert: { toType: 'string' } }], 42)).toBe('42');
    expect(resolveTransforms([{ type: 'convert', convert: { toType: 'int64' } }], '42')).toBe(42);
    expect(resolveTransforms([{ type: 'convert', convert: { toType: 'bool' } }], 'true')).toBe(true);
    expect(() => resolveTransforms([{ type: 'convert', convert: { toType: 'int' } }], 'forty')).toThrow(/invalid syntax/);
    expect(() => resolveTransforms([{ type: 'convert', convert: { toType: 'int' } }], ['x'])).toThrow(/conversion from array to int64 is not supported/);
  });
});

describe('patch-and-transform rendering', () => {
  it('renders the README example: FromCompositeFieldPath with a map transform', () => {
    const input = resources([
      {
        name: 'bucket',
        base: bucket,
        patches: [{ type: 'FromCompositeFieldPath', fromFieldPath: 'spec.location', toFieldPath: 'spec.forProvider.region', transforms: [{ type: 'map', map: { EU: 'eu-north-1', US: 'us-east-2' } }] }],
      },
    ]);
    const out = renderPatchAndTransform(input, xr({ location: 'EU' }));
    expect(out.resources).toHaveLength(1);
    const b = rendered(out);
    expect(b.spec).toEqual({ forProvider: { region: 'eu-north-1' } });
    expect(b.metadata).toMatchObject({
      namespace: 'default',
      generateName: 'example-xr-',
      labels: { 'crossplane.io/composite': 'example-xr' },
      annotations: { 'crossplane.io/composition-resource-name': 'bucket' },
    });
    // An Optional patch whose source is missing leaves the base value.
    expect(rendered(renderPatchAndTransform(input, xr({}))).spec).toEqual({ forProvider: { region: 'us-east-2' } });
  });

  it("renders the repository's example/ files to the output its README documents", () => {
    // example/composition.yaml patches from the top-level field "location", which example/xr.yaml does not have
    // (its location is under spec), so the Optional patch is skipped and the base region stays: the README shows
    // exactly one Bucket in us-east-2, named after the XR and annotated with its composition resource name.
    const composition = {
      spec: {
        compositeTypeRef: { apiVersion: 'example.crossplane.io/v1', kind: 'XR' },
        mode: 'Pipeline',
        pipeline: [
          {
            step: 'patch-and-transform',
            functionRef: { name: 'function-patch-and-transform' },
            input: resources([
              {
                name: 'bucket',
                base: { apiVersion: 's3.aws.upbound.io/v1beta1', kind: 'Bucket', spec: { forProvider: { region: 'us-east-2' } } },
                patches: [{ type: 'FromCompositeFieldPath', fromFieldPath: 'location', toFieldPath: 'spec.forProvider.region', transforms: [{ type: 'map', map: { EU: 'eu-north-1', US: 'us-east-2' } }] }],
              },
            ]),
          },
        ],
      },
    };
    const exampleXr = { apiVersion: 'example.crossplane.io/v1', kind: 'XR', metadata: { name: 'example-xr' }, spec: { location: 'US' } };
    const out = renderComposition(composition, exampleXr);
    expect(out.resources.map((r) => r.name)).toEqual(['bucket']);
    expect(rendered(out)).toMatchObject({
      apiVersion: 's3.aws.upbound.io/v1beta1',
      kind: 'Bucket',
      metadata: { annotations: { 'crossplane.io/composition-resource-name': 'bucket' }, generateName: 'example-xr-', labels: { 'crossplane.io/composite': 'example-xr' } },
      spec: { forProvider: { region: 'us-east-2' } },
    });
  });

  it('CombineFromComposite joins variables with a format, and is skipped while any variable is missing', () => {
    const input = resources([
      {
        name: 'bucket',
        base: bucket,
        patches: [
          {
            type: 'CombineFromComposite',
            combine: { strategy: 'string', variables: [{ fromFieldPath: 'spec.field1' }, { fromFieldPath: 'spec.field2' }], string: { fmt: '%s-%s' } },
            toFieldPath: 'metadata.annotations[example/combined]',
          },
        ],
      },
    ]);
    const both = rendered(renderPatchAndTransform(input, xr({ field1: 'field1-text', field2: 'field2-text' })));
    expect(getValue(both, 'metadata.annotations[example/combined]')).toBe('field1-text-field2-text');
    const one = rendered(renderPatchAndTransform(input, xr({ field1: 'field1-text' })));
    expect(getValue(one, 'metadata.annotations[example/combined]')).toBeUndefined();
  });

  it('ToCompositeFieldPath copies observed status into the desired XR only once the resource is observed', () => {
    const input = resources([{ name: 'bucket', base: bucket, patches: [{ type: 'ToCompositeFieldPath', fromFieldPath: 'status.atProvider.arn', toFieldPath: 'status.bucketArn' }] }]);
    expect(renderPatchAndTransform(input, xr({})).xr.status).toEqual({});
    const observed = { bucket: { ...bucket, status: { atProvider: { arn: 'arn:aws:s3:::b' } } } };
    expect(renderPatchAndTransform(input, xr({}), { observed }).xr.status).toEqual({ bucketArn: 'arn:aws:s3:::b' });
  });

  it('a Required patch whose source is missing leaves the resource out of the desired state', () => {
    const input = resources([
      { name: 'gated', base: bucket, patches: [{ fromFieldPath: 'status.ready', toFieldPath: 'metadata.annotations[after]', policy: { fromFieldPath: 'Required' } }] },
      { name: 'free', base: bucket },
    ]);
    const before = renderPatchAndTransform(input, xr({}));
    expect(before.resources.map((r) => r.name)).toEqual(['free']);
    expect(before.skipped).toEqual([{ name: 'gated', reason: expect.stringContaining('status.ready') }]);
    expect(renderPatchAndTransform(input, xr({}, { ready: 'yes' })).resources.map((r) => r.name)).toEqual(['gated', 'free']);
  });

  it('inlines PatchSets and rejects a reference to an undefined one', () => {
    const ps = [{ name: 'region', patches: [{ type: 'FromCompositeFieldPath', fromFieldPath: 'spec.region', toFieldPath: 'spec.forProvider.region' }] }];
    const ok = resources([{ name: 'bucket', base: bucket, patches: [{ type: 'PatchSet', patchSetName: 'region' }] }], ps);
    expect(getValue(rendered(renderPatchAndTransform(ok, xr({ region: 'eu-west-1' }))), 'spec.forProvider.region')).toBe('eu-west-1');
    const bad = resources([{ name: 'bucket', base: bucket, patches: [{ type: 'PatchSet', patchSetName: 'regoin' }] }], ps);
    expect(() => renderPatchAndTransform(bad, xr({}))).toThrow('cannot find PatchSet by name regoin');
  });

  it('rejects a pipeline step that names a Function that is not installed', () => {
    const composition = {
      spec: {
        compositeTypeRef: { apiVersion: 'example.crossplane.io/v1', kind: 'XR' },
        mode: 'Pipeline',
        pipeline: [{ step: 'pt', functionRef: { name: 'function-patch-and-transfrom' }, input: resources([]) }],
      },
    };
    expect(() => renderComposition(composition, xr({}), { functions: new Set(['function-patch-and-transform', 'function-auto-ready']) })).toThrow(RenderError);
    expect(() => renderComposition(composition, xr({}), { functions: new Set(['function-patch-and-transform']) })).toThrow(/functionRef.name: got "function-patch-and-transfrom"; expected an installed Function/);
  });
});

describe('structural defaults', () => {
  it('fills defaults of existing objects, including objects that default to {}', () => {
    const schema = {
      properties: {
        spec: {
          properties: {
            policy: { type: 'string', default: 'Delete' },
            lifecycle: { type: 'object', default: {}, properties: { days: { type: 'integer', default: 7 } } },
          },
        },
      },
    };
    expect(applyDefaults(schema, { spec: {} })).toEqual({ spec: { policy: 'Delete', lifecycle: { days: 7 } } });
    expect(applyDefaults(schema, { spec: { lifecycle: { days: 3 } } })).toEqual({ spec: { policy: 'Delete', lifecycle: { days: 3 } } });
  });
});
