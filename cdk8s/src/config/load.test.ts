import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentConfigError, loadEnvironment, loadEnvironments, parseEnvironment } from './load';

const repoRoot = join(__dirname, '..', '..', '..');
const devText = readFileSync(join(repoRoot, 'environments', 'dev.yaml'), 'utf8');

/** dev.yaml with one line replaced, parsed as `environments/dev.yaml`. */
function parseWith(search: string | RegExp, replacement: string): () => unknown {
  const text = devText.replace(search, replacement);
  expect(text).not.toBe(devText);
  return () => parseEnvironment('environments/dev.yaml', text, 'dev');
}

describe('environment configuration', () => {
  it('loads every committed environment, sorted, with defaults applied', () => {
    const envs = loadEnvironments(repoRoot);
    expect(envs.map((e) => e.name)).toEqual(['dev', 'prod', 'staging']);
    expect(envs[0]!.app.shutdownTimeoutMs).toBe(5000);
  });

  it.each([
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
    const root = mkdtempSync(join(tmpdir(), 'envs-'));
    mkdirSync(join(root, 'environments'));
    const qa = devText.replace(/^name: dev$/m, 'name: qa');
    writeFileSync(join(root, 'environments', 'dev.yaml'), devText);
    writeFileSync(join(root, 'environments', 'qa.yaml'), qa);
    expect(() => loadEnvironments(root)).toThrow(
      'environments/qa.yaml: namespace: got "metrics-dev"; expected a value not used by environments/dev.yaml on the same cluster "metrics-dev"',
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

  it('adds an environment with one new file', () => {
    const root = mkdtempSync(join(tmpdir(), 'envs-'));
    mkdirSync(join(root, 'environments'));
    writeFileSync(join(root, 'environments', 'qa.yaml'), devText.replace(/^name: dev$/m, 'name: qa'));
    expect(loadEnvironments(root).map((e) => e.name)).toEqual(['qa']);
  });
});
