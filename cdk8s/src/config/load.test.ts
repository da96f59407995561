import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Yaml from 'yaml';
import { ARGOCD_NAMESPACE } from '../argocd/repository';
import { CROSSPLANE_NAMESPACE } from '../crossplane/api';
import { RESERVED_NAMESPACES } from './environment';
import { EnvironmentConfigError, loadEnvironment, loadEnvironments, parseEnvironment } from './load';
import { mutated } from '../yaml/testing';

const repoRoot = join(__dirname, '..', '..', '..');
const devText = readFileSync(join(repoRoot, 'environments', 'dev.yaml'), 'utf8');

/** dev.yaml with one line replaced, parsed as `environments/dev.yaml`. */
function parseWith(search: string | RegExp, replacement: string): () => unknown {
  const text = devText.replace(search, replacement);
  expect(text).not.toBe(devText);
  return () => parseEnvironment('environments/dev.yaml', text, 'dev');
}

describe('environment configuration', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  const tempRoot = () => {
    const root = mkdtempSync(join(tmpdir(), 'envs-'));
    roots.push(root);
    mkdirSync(join(root, 'environments'));
    return root;
  };

  it('loads every committed environment, sorted, with defaults applied', () => {
    const envs = loadEnvironments(repoRoot);
    expect(envs.map((e) => e.name)).toEqual(['dev', 'prod', 'staging']);
    expect(envs[0]!.app.shutdownTimeoutMs).toBe(5000);
  });

  it.each<[string, string | RegExp, string, RegExp]>([
    [
      'a wrong type',
      /replicas: 1/,
      'replicas: "one"',
      /environments\/dev\.yaml: app\.replicas: got "one"; expected .*number/,
    ],
    [
      'an unknown field',
      /replicas: 1/,
      'replicas: 1\n  replica: 2',
      /environments\/dev\.yaml: app: unknown field\(s\) replica; expected/,
    ],
    [
      'a bad tag',
      /tag: "1\.0\.0"/,
      'tag: "latest"',
      /environments\/dev\.yaml: app\.image\.tag: got "latest"; expected a release tag, not "latest"/,
    ],
    ['a malformed tag', /tag: "1\.0\.0"/, 'tag: "-x y"', /app\.image\.tag: got "-x y"; expected an OCI tag/],
    [
      'a bad digest',
      /digest: sha256:a8/,
      'digest: sha256:XY',
      /app\.image\.digest: got "sha256:XY.*"; expected sha256: followed by 64 lower-case hex digits/,
    ],
    [
      'a bad storage size',
      /storageSize: 10Gi/,
      'storageSize: 10GB',
      /graphite\.storageSize: got "10GB"; expected a whole number of GiB/,
    ],
    // IAM's StringLike `*` also matches `/`: these trust every branch or tag (fails before the fix for all three).
    ...['refs/heads/**', 'refs/heads/*/*', 'refs/tags/**'].map(
      (ref) =>
        [
          `the release ref ${ref}`,
          /releaseRefs: \[refs\/heads\/main\]/,
          `releaseRefs: [refs/heads/main, "${ref}"]`,
          new RegExp(
            `ecr\\.repositories\\.0\\.releaseRefs\\.1: got "${ref.replace(/\*/g, '\\*')}"; expected an exact ref`,
          ),
        ] as [string, RegExp, string, RegExp],
    ),
    [
      'a workflow outside .github/workflows',
      /workflow: \.github\/workflows\/release\.yml/,
      'workflow: release.yml',
      /ecr\.repositories\.0\.workflow: got "release\.yml"; expected \.github\/workflows\/<file>\.yml/,
    ],
    [
      'a GitHub environment with an IAM wildcard',
      /githubEnvironment: ecr-dev/,
      'githubEnvironment: "ecr-*"',
      /ecr\.repositories\.0\.githubEnvironment: got "ecr-\*"; expected a GitHub environment name/,
    ],
    // zod's built-in checks read as sentences, not "Too small: expected number to be >=1"
    [
      'a number below its minimum',
      /replicas: 1/,
      'replicas: 0',
      /app\.replicas: got 0; expected a number of at least 1$/m,
    ],
    ['a fraction', /intervalMs: 3000/, 'intervalMs: 2.5', /app\.intervalMs: got 2\.5; expected a whole number$/m],
    [
      'a string for a boolean',
      /autoSync: true/,
      'autoSync: "yes"',
      /features\.autoSync: got "yes"; expected true or false$/m,
    ],
    [
      'a value outside an enum',
      /replicas: 1/,
      'replicas: 1\n  logLevel: loud',
      /app\.logLevel: got "loud"; expected one of "fatal", "error", "warn", "info", "debug", "trace"$/m,
    ],
    [
      'an unknown field (named as such)',
      /replicas: 1/,
      'replicas: 1\n  replica: 2',
      /app: unknown field\(s\) replica; expected only the fields of the environment file reference \(docs\/cdk8s\.md\)$/m,
    ],
    [
      'no add-ons',
      /^addons:\n( {2}.*\n)+/m,
      'addons: {}\n',
      /addons\.vpc-cni: got nothing; expected an EKS add-on version such as v1\.19\.2-eksbuild\.1$/m,
    ],
    [
      'an add-on ClusterAddons does not manage',
      /^addons:\n/m,
      'addons:\n  metrics-server: v0.7.2-eksbuild.1\n',
      /addons: unknown field\(s\) metrics-server; expected only the add-ons ClusterAddons manages: vpc-cni, coredns, kube-proxy, eks-pod-identity-agent, aws-ebs-csi-driver$/m,
    ],
  ])('rejects %s naming file, field, value and expectation', (_what, search, replacement, message) => {
    const parse = parseWith(search, replacement);
    expect(parse).toThrow(EnvironmentConfigError);
    expect(parse).toThrow(message);
  });

  it('rejects a replica count that contradicts the autoscaler', () => {
    const text = readFileSync(join(repoRoot, 'environments', 'prod.yaml'), 'utf8').replace(
      /replicas: 3/,
      'replicas: 5',
    );
    expect(() => parseEnvironment('environments/prod.yaml', text, 'prod')).toThrow(
      'environments/prod.yaml: app.replicas: got 5; expected app.autoscaling.minReplicas when app.autoscaling is set',
    );
  });

  it('rejects a namespace too long for its Graphite sibling', () => {
    const parse = parseWith(/^namespace: metrics-dev$/m, `namespace: ${'n'.repeat(55)}`);
    expect(parse).toThrow(/namespace: got "n{55}"; expected at most 54 characters/);
  });

  it('rejects an empty web client selector, which would admit every pod', () => {
    const parse = parseWith(/^ {2}storageClassName: gp3$/m, '  storageClassName: gp3\n  webClients: { podLabels: {} }');
    expect(parse).toThrow(/graphite\.webClients\.podLabels: got \{\}; expected at least one label/);
  });

  it('rejects a file whose name does not match its environment', () => {
    expect(() => parseEnvironment('environments/qa.yaml', devText, 'qa')).toThrow(
      'environments/qa.yaml: name: got "dev"; expected "qa" (the file name)',
    );
  });

  it('rejects YAML that does not parse', () => {
    expect(() => parseEnvironment('environments/dev.yaml', 'app: [', 'dev')).toThrow(
      /environments\/dev\.yaml: not valid YAML/,
    );
  });

  it('lists the known environments for an unknown name', () => {
    expect(() => loadEnvironment(repoRoot, 'qa')).toThrow('--env: got "qa"; expected one of: dev, prod, staging');
  });

  it('refuses two environments that would render the same objects on one cluster', () => {
    const root = tempRoot();
    const qa = devText.replace(/^name: dev$/m, 'name: qa');
    writeFileSync(join(root, 'environments', 'dev.yaml'), devText);
    writeFileSync(join(root, 'environments', 'qa.yaml'), qa);
    expect(() => loadEnvironments(root)).toThrow(
      'environments/qa.yaml: namespace: got "metrics-dev"; expected a value not used by the namespace of environments/dev.yaml on the same cluster "https://101B3BA96E471D6499EF5497B47341EE.gr7.eu-west-1.eks.amazonaws.com"',
    );
    writeFileSync(
      join(root, 'environments', 'qa.yaml'),
      qa.replace(/^namespace: metrics-dev$/m, 'namespace: metrics-qa'),
    );
    expect(() => loadEnvironments(root)).toThrow(
      /qa\.yaml: graphite\.createStorageClass: got "true"; expected a value not used/,
    );
    writeFileSync(
      join(root, 'environments', 'qa.yaml'),
      qa
        .replace(/^namespace: metrics-dev$/m, 'namespace: metrics-qa')
        .replace('createStorageClass: true', 'createStorageClass: false'),
    );
    expect(loadEnvironments(root).map((e) => e.name)).toEqual(['dev', 'qa']);
  });

  it('compares clusters by API server, whatever their names, and counts Graphite namespaces too', () => {
    const root = tempRoot();
    const qa = devText
      .replace(/^name: dev$/m, 'name: qa')
      .replace(/^ {2}name: metrics-dev$/m, '  name: another-name-same-cluster')
      .replace('createStorageClass: true', 'createStorageClass: false');
    writeFileSync(join(root, 'environments', 'dev.yaml'), devText);
    writeFileSync(join(root, 'environments', 'qa.yaml'), qa);
    expect(() => loadEnvironments(root)).toThrow(
      /^environments\/qa\.yaml: namespace: got "metrics-dev"; expected a value not used by the namespace of environments\/dev\.yaml on the same cluster "https:/,
    );
    // qa's namespace is dev's Graphite namespace: two Applications would own one Namespace
    writeFileSync(
      join(root, 'environments', 'qa.yaml'),
      qa.replace(/^namespace: metrics-dev$/m, 'namespace: metrics-dev-graphite'),
    );
    expect(() => loadEnvironments(root)).toThrow(
      /^environments\/qa\.yaml: namespace: got "metrics-dev-graphite"; expected a value not used by the Graphite namespace of environments\/dev\.yaml on the same cluster/,
    );
    // the same server spelled with a trailing slash and upper-case host is the same cluster
    writeFileSync(
      join(root, 'environments', 'qa.yaml'),
      qa.replace(
        /server: https:\/\/101B3BA96E471D6499EF5497B47341EE(\S+)/,
        (_m, rest: string) => `server: https://101b3ba96e471d6499ef5497b47341ee${rest.toUpperCase()}/`,
      ),
    );
    expect(() => loadEnvironments(root)).toThrow(/qa\.yaml: namespace: got "metrics-dev"; expected a value not used/);
    // another cluster: the same namespace is fine
    writeFileSync(
      join(root, 'environments', 'qa.yaml'),
      qa.replace(/server: \S+/, 'server: https://other.example.test'),
    );
    expect(loadEnvironments(root).map((e) => e.name)).toEqual(['dev', 'qa']);
  });

  it.each(['default', 'kube-system', 'kube-public', 'argocd', 'crossplane-system'])(
    'rejects the namespace %s, which belongs to the cluster or the platform',
    (ns) => {
      expect(parseWith(/^namespace: metrics-dev$/m, `namespace: ${ns}`)).toThrow(
        `environments/dev.yaml: namespace: got "${ns}"; expected a namespace of the environment's own; default, argocd, crossplane-system and kube-* belong to the cluster or the platform`,
      );
    },
  );

  it('names every platform namespace as reserved', () => {
    expect(RESERVED_NAMESPACES).toEqual(expect.arrayContaining([ARGOCD_NAMESPACE, CROSSPLANE_NAMESPACE]));
  });

  it.each(['file:///etc/passwd', 'http://10.0.0.1:6443', 'https://user:pw@example.test', 'kubernetes.default.svc'])(
    'rejects the cluster server %s: only an https:// URL',
    (server) => {
      expect(parseWith(/server: \S+/, `server: ${JSON.stringify(server)}`)).toThrow(
        `environments/dev.yaml: cluster.server: got ${JSON.stringify(server)}; expected an https:// URL of the cluster's API server`,
      );
    },
  );

  it.each([
    ['app', 'cpu', /requests: \{ cpu: 50m/, 'requests: { cpu: "2"', '"2"', '"250m"'],
    ['app', 'memory', /memory: 64Mi/, 'memory: 1Gi', '"1Gi"', '"128Mi"'],
    ['graphite', 'cpu', /requests: \{ cpu: 100m/, 'requests: { cpu: 1500m', '"1500m"', '"1"'],
    ['graphite', 'memory', /memory: 256Mi/, 'memory: 513Mi', '"513Mi"', '"512Mi"'],
  ])('rejects %s %s requests above the limit, naming both', (part, resource, search, replacement, got, limit) => {
    expect(parseWith(search, replacement)).toThrow(
      `environments/dev.yaml: ${part}.resources.requests.${resource}: got ${got}; expected at most ${part}.resources.limits.${resource} (${limit}): the API server rejects a request above its limit`,
    );
  });

  it('accepts requests equal to limits in other units', () => {
    expect(
      parseWith(/requests: \{ cpu: 50m, memory: 64Mi \}/, 'requests: { cpu: "0.25", memory: 0.125Gi }')(),
    ).toMatchObject({
      app: { resources: { requests: { cpu: '0.25', memory: '0.125Gi' } } },
    });
  });

  it('adds an environment with one new file', () => {
    const root = tempRoot();
    writeFileSync(join(root, 'environments', 'qa.yaml'), devText.replace(/^name: dev$/m, 'name: qa'));
    expect(loadEnvironments(root).map((e) => e.name)).toEqual(['qa']);
  });
});

describe('parseEnvironment with the fast YAML readers', () => {
  /** parseEnvironment as it was: the `yaml` library's parse for every text (the fast readers mocked away). */
  let parseWithYamlLibrary: typeof parseEnvironment;
  beforeAll(() => {
    jest.isolateModules(() => {
      jest.doMock('../yaml/parse', () => ({
        parseYamlDocument: (text: string): unknown =>
          (jest.requireActual('yaml') as typeof Yaml).parse(text, { prettyErrors: true }),
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry
      parseWithYamlLibrary = (require('./load') as { parseEnvironment: typeof parseEnvironment }).parseEnvironment;
    });
  });

  /** The environment parseEnvironment makes of `text`, or its error message. */
  const result = (parse: typeof parseEnvironment, text: string): unknown => {
    try {
      return { config: parse('environments/dev.yaml', text, 'dev') };
    } catch (err) {
      return { error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  };

  const envTexts = ['dev', 'prod', 'staging'].map((e) =>
    readFileSync(join(repoRoot, 'environments', `${e}.yaml`), 'utf8').replace(
      new RegExp(`^name: ${e}$`, 'm'),
      'name: dev',
    ),
  );

  it.each<[string, string]>([
    ['the committed dev.yaml', devText],
    ['prod.yaml named dev', envTexts[1]!],
    ['staging.yaml named dev', envTexts[2]!],
    ['an empty file', ''],
    ['a comment-only file', '# nothing yet\n'],
    ['a document start only', '---\n'],
    ['two documents', `${devText}---\n${devText}`],
    ['a document start and end', `---\n${devText}...\n`],
    ['a duplicate key', devText.replace('namespace: metrics-dev', 'namespace: metrics-dev\nnamespace: other')],
    [
      'anchors and aliases',
      devText.replace('limits: { cpu: 250m', 'limits: &l { cpu: 250m').replace(/(\n {2}intervalMs)/, '\n  x: *l$1'),
    ],
    ['a tag', devText.replace('replicas: 1', 'replicas: !!str 1')],
    ['a YAML 1.1 directive', `%YAML 1.1\n---\n${devText.replace('autoSync: true', 'autoSync: yes')}`],
    ['a block scalar', devText.replace('metricPrefix: ""', 'metricPrefix: |-\n    x')],
    [
      'numbers in other spellings',
      devText.replace('replicas: 1', 'replicas: 0x1').replace('intervalMs: 3000', 'intervalMs: 3e3'),
    ],
    [
      'booleans and null in other spellings',
      devText.replace('autoSync: true', 'autoSync: True').replace('topologySpread: false', 'topologySpread: ~'),
    ],
    ['a YAML 1.1 boolean', devText.replace('autoSync: true', 'autoSync: yes')],
    [
      'quoted strings',
      devText.replace('region: eu-west-1', "region: 'eu-west-1'").replace('tag: "1.0.0"', 'tag: "1.0\\x2e0"'),
    ],
    ['a tab', devText.replace('replicas: 1', 'replicas:\t1')],
    ['a tab as indentation', devText.replace('  replicas: 1', '\treplicas: 1')],
    ['CRLF line ends', devText.replace(/\n/g, '\r\n')],
    ['CR line ends', devText.replace(/\n/g, '\r')],
    ['a byte order mark', `\ufeff${devText}`],
    ['a top-level scalar', 'dev\n'],
    ['a top-level list', '- name: dev\n'],
    ['a collection as a key', `${devText}[a]: 1\n`],
  ])('reads %s exactly as with the yaml library alone: same settings or same error', (_what, text) => {
    expect(result(parseEnvironment, text)).toEqual(result(parseWithYamlLibrary, text));
  });

  it('reads mutated environment files exactly as with the yaml library alone', () => {
    const differ: { text: string; fast: unknown; reference: unknown }[] = [];
    const kinds = new Set<string>();
    for (const text of mutated(envTexts, 60, 11)) {
      const fast = result(parseEnvironment, text);
      const reference = result(parseWithYamlLibrary, text);
      const error = (reference as { error?: string }).error;
      kinds.add(
        error === undefined ? 'settings' : error.includes(': not valid YAML: ') ? 'YAML error' : 'schema error',
      );
      if (JSON.stringify(fast) !== JSON.stringify(reference) && differ.length < 5)
        differ.push({ text, fast, reference });
    }
    expect(differ).toEqual([]);
    expect([...kinds].sort()).toEqual(['YAML error', 'schema error', 'settings']);
  });
});
