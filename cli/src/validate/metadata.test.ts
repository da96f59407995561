import { checkMetadata, isQualifiedKey } from './metadata';
import { matchesSelector } from './selectors';

describe('metadata rules', () => {
  const cm = (metadata: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata });

  it('accepts well-formed metadata', () => {
    expect(
      checkMetadata(
        cm({
          name: 'a.b-c',
          namespace: 'n',
          labels: { 'app.kubernetes.io/name': 'x_y.z' },
          annotations: { 'a/b': 'anything at all' },
        }),
        true,
      ),
    ).toEqual([]);
  });

  it('reports bad names, keys and label values', () => {
    expect(
      checkMetadata(
        cm({ name: 'a', namespace: 'n', labels: { 'bad key!': 'v', ok: '-bad-' }, annotations: { '/x': 'v' } }),
        true,
      ),
    ).toEqual([
      { path: 'metadata.labels["bad key!"]', message: expect.stringContaining('invalid key') as string },
      {
        path: 'metadata.labels["ok"]',
        message: expect.stringContaining('got "-bad-"; expected a label value') as string,
      },
      { path: 'metadata.annotations["/x"]', message: expect.stringContaining('invalid key') as string },
    ]);
    expect(checkMetadata({ kind: 'Service', metadata: { name: 'a.b', namespace: 'n' } }, true)).toEqual([
      { path: 'metadata.name', message: expect.stringContaining('expected a DNS-1123 label') as string },
    ]);
    expect(checkMetadata(cm({ generateName: 'a-' }), undefined)).toEqual([]);
    expect(checkMetadata({ kind: 'ConfigMap' }, true)).toEqual([
      { path: 'metadata', message: 'required field is missing' },
    ]);
  });

  it('qualified keys: optional DNS subdomain prefix, 63-character name', () => {
    expect(isQualifiedKey('example.org/name')).toBe(true);
    expect(isQualifiedKey('Example.org/name')).toBe(false);
    expect(isQualifiedKey('x'.repeat(64))).toBe(false);
  });
});

describe('label selectors', () => {
  const labels = { app: 'a', tier: 'web' };
  it('follow Kubernetes semantics', () => {
    expect(matchesSelector({}, labels)).toBe(true);
    expect(matchesSelector(undefined, labels)).toBe(false);
    expect(matchesSelector({ matchLabels: { app: 'a' } }, labels)).toBe(true);
    expect(
      matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, labels),
    ).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(
      false,
    );
    expect(matchesSelector({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, labels)).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'x', operator: 'Bogus' }] }, labels)).toBe(false);
  });
});
