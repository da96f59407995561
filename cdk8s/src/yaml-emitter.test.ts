import { join } from 'node:path';
import { App } from 'cdk8s';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { GENERATED_HEADER, renderArgoApps } from './argocd/index';
import { addEnvironmentCharts } from './charts/environment';
import { loadEnvironments } from './config/load';
import { CROSSPLANE_DIR_HEADER, renderCrossplaneDir } from './crossplane/index';
import { YAML_OPTIONS, cachedManifestToYaml, manifestToYaml, markDeepFrozen } from './yaml-emitter';

const repoRoot = join(__dirname, '..', '..');

describe('manifestToYaml', () => {
  it('writes every rendered object byte-identical to the yaml library', () => {
    let count = 0;
    const envs = loadEnvironments(repoRoot);
    for (const env of envs) {
      for (const { chart } of addEnvironmentCharts(new App(), env, '', envs)) {
        for (const m of chart.toJson() as unknown[]) {
          expect(manifestToYaml(m)).toBe(stringify(m, YAML_OPTIONS));
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(50);
  });

  // crossplane/ and argocd/apps/ were written by the library (`{ lineWidth: 0 }`) before they went through the emitter
  it('writes crossplane/ and argocd/apps/ byte-identical to the yaml library', () => {
    const trees = [
      { header: CROSSPLANE_DIR_HEADER, files: renderCrossplaneDir(), separator: '---\n' },
      { header: GENERATED_HEADER, files: renderArgoApps(loadEnvironments(repoRoot)), separator: '' },
    ];
    let count = 0;
    for (const { header, files, separator } of trees) {
      for (const [file, text] of files) {
        const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
        const library = header + docs.map((o) => separator + stringify(o, { lineWidth: 0 })).join('');
        expect([file, text]).toEqual([file, library]);
        count += docs.length;
      }
    }
    expect(count).toBeGreaterThan(20);
  });

  const awkward: Record<string, unknown>[] = [
    {
      quoted: [
        '',
        ' x',
        'x ',
        'a: b',
        'a:',
        '#x',
        'x #y',
        '8080',
        '1.0',
        'true',
        'True',
        'yes',
        'null',
        '~',
        '-',
        '- x',
      ],
      indicators: ['*x', '&x', '!x', '%x', '@x', '`x', '"x"', "'x'", '{x}', '[x]', 'x,y', '?x', 'x|y', 'x>y', 'a::b'],
      numeric: ['0x1F', '1e3', '.inf', 'NaN', 'é', 'a:b'],
      multiLine: 'line1\nline2\n',
    },
    { n: [1, -1, 0, 1.5, -0, 1e21, 2 ** 60, Number.MAX_SAFE_INTEGER], b: [true, false, null] },
    { empty: [[], {}, [[1, 2], [3]], [{ a: 1 }, { b: { c: [] } }]], skipped: undefined },
    { '8080': 1, 'a b': 2, true: 3, '': 4, 'x:': 5, 'app.kubernetes.io/name': 6, '-x': 7 },
    { nested: { deep: [{ x: [{ y: 'z' }, [{ w: 1 }]] }] } },
  ];

  it.each(awkward.map((o, i) => [i, o] as const))(
    'matches the library and round-trips on awkward input %i',
    (_i, o) => {
      const text = manifestToYaml(o);
      expect(text).toBe(stringify(o, YAML_OPTIONS));
      expect(parse(text)).toEqual(o); // toEqual ignores the undefined field, as YAML does
    },
  );
});

describe('cachedManifestToYaml of deep-frozen manifests', () => {
  it('gives the YAML of the manifest, by identity once marked, and refuses to mark an unfrozen one', () => {
    const manifest = Object.freeze({
      kind: 'ConfigMap',
      metadata: Object.freeze({ name: 'a b' }),
      data: Object.freeze({ k: 'v: w' }),
    });
    markDeepFrozen(manifest);
    expect(cachedManifestToYaml(manifest)).toBe(stringify(manifest, YAML_OPTIONS));
    expect(cachedManifestToYaml(manifest)).toBe(stringify(manifest, YAML_OPTIONS));
    expect(() => markDeepFrozen({ kind: 'ConfigMap' })).toThrow('markDeepFrozen: the manifest is not frozen');
  });
});
