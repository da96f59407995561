import { backoffMs } from './env-branch';
import { imageReference, imageReferencesIn, setPinInYaml } from './pin';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const doc = (tag: string, digest = 'sha256:' + '0'.repeat(64)) =>
  [
    '# the dev environment',
    'name: dev',
    'app:',
    '  image:',
    '    repository: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/metrics-app # where dev pulls from',
    `    tag: ${tag}   # human readable`,
    `    digest: ${digest}`,
    '  resources:',
    '    requests: { cpu: 50m, memory: 64Mi }',
    '',
  ].join('\n');

describe('setPinInYaml', () => {
  it('changes only the two pin values, keeping comments, spacing and flow maps byte for byte', () => {
    const before = doc('"1.0.0"');
    const after = setPinInYaml('dev.yaml', before, { tag: '1.1.0', digest: DIGEST });
    expect(after).toBe(doc('"1.1.0"', DIGEST));
    const changed = after.split('\n').filter((l, i) => l !== before.split('\n')[i]);
    expect(changed).toEqual(['    tag: "1.1.0"   # human readable', `    digest: ${DIGEST}`]);
  });

  it('keeps single quotes and plain scalars, quoting a plain tag that would not stay a string', () => {
    expect(setPinInYaml('f', doc("'1.0.0'"), { tag: "it's", digest: DIGEST })).toContain("tag: 'it''s'");
    expect(setPinInYaml('f', doc('v1'), { tag: 'v2', digest: DIGEST })).toContain('tag: v2   #');
    expect(setPinInYaml('f', doc('v1'), { tag: '1.5', digest: DIGEST })).toContain('tag: "1.5"   #');
    expect(setPinInYaml('f', doc('v1'), { tag: 'true', digest: DIGEST })).toContain('tag: "true"   #');
  });

  it('refuses a document without the pin or with invalid YAML', () => {
    expect(() => setPinInYaml('f.yaml', 'name: dev\napp: {}\n', { tag: 'x', digest: DIGEST })).toThrow(
      /f\.yaml: app\.image\.tag: missing/,
    );
    expect(() => setPinInYaml('f.yaml', 'app: [\n', { tag: 'x', digest: DIGEST })).toThrow(/f\.yaml: not valid YAML/);
  });
});

describe('image references', () => {
  const pin = { repository: '1.dkr.ecr.eu-west-1.amazonaws.com/metrics-app', tag: '1.0.0', digest: DIGEST };

  it('renders <repository>:<tag>@<digest>', () => {
    expect(imageReference(pin)).toBe(`1.dkr.ecr.eu-west-1.amazonaws.com/metrics-app:1.0.0@${DIGEST}`);
  });

  it('finds every reference to the repository, and only to it', () => {
    const files = new Map([
      ['app.yaml', `image: ${imageReference(pin)}\n  other: "1.dkr.ecr.eu-west-1.amazonaws.com/metrics-app:old"\n`],
      ['graphite.yaml', 'image: graphiteapp/graphite-statsd:1.1.10-5\n'],
    ]);
    expect(imageReferencesIn(files, pin.repository)).toEqual(
      new Map([['app.yaml', [imageReference(pin), '1.dkr.ecr.eu-west-1.amazonaws.com/metrics-app:old']]]),
    );
  });
});

describe('backoffMs', () => {
  it('grows exponentially with jitter and is capped', () => {
    expect(backoffMs(1, () => 0)).toBe(50);
    expect(backoffMs(1, () => 1)).toBe(150);
    expect(backoffMs(4, () => 0.5)).toBe(800);
    expect(backoffMs(30, () => 0.999)).toBeLessThanOrEqual(7500);
  });
});
