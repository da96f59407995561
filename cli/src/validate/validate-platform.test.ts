import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { formatProblem, type Problem } from './problem';
import { SchemaRegistry } from './registry';
import { resolveSchemasDir } from './schemas-dir';
import { bucket, bucketXrd, compliantEnvironment, edited, type Fixture } from './testdata/fixtures';
import { validatePlatform } from './validate-platform';

const registry = SchemaRegistry.load(resolveSchemasDir());

/** Writes `files` (relative path -> documents) into a fresh fake repository and validates all of it. */
async function run(files: Record<string, Fixture[] | string>, prodEnvironments: string[] = []) {
  const root = mkdtempSync(join(tmpdir(), 'validate-'));
  for (const [rel, docs] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), typeof docs === 'string' ? docs : docs.map((d) => stringify(d)).join('---\n'));
  }
  return validatePlatform([root], { registry, repoRoot: root, prodEnvironments });
}

function replace(env: Fixture[], kind: string, name: string, edit: (o: Fixture) => void): Fixture[] {
  return env.map((o) => (o.kind === kind && (o.metadata as { name: string }).name === name ? edited(o, edit) : o));
}

const lines = (problems: Problem[]): string[] => problems.map(formatProblem);

describe('validatePlatform', () => {
  it('finds nothing wrong with a compliant environment', async () => {
    const report = await run({ 'dist/dev/app.yaml': compliantEnvironment() });
    expect(lines(report.problems)).toEqual([]);
    expect(report).toMatchObject({ objects: 10, errors: 0, warnings: 0 });
  });

  it('reports a Service that selects no pod', async () => {
    const env = replace(compliantEnvironment(), 'Service', 'app', (s) => {
      (s.spec as { selector: unknown }).selector = { 'app.kubernetes.io/name': 'typo' };
    });
    const report = await run({ 'dist/dev/app.yaml': env });
    expect(lines(report.problems)).toEqual([
      'dist/dev/app.yaml: Service/demo/app: spec.selector: selects no pod in namespace demo ({"app.kubernetes.io/name":"typo"})',
    ]);
    expect(report.errors).toBe(1);
  });

  it('reports a NetworkPolicy or PDB selecting no pod and an HPA without target', async () => {
    let env = replace(compliantEnvironment(), 'NetworkPolicy', 'app-dns', (n) => {
      (n.spec as { podSelector: unknown }).podSelector = { matchLabels: { app: 'none' } };
    });
    env = replace(env, 'PodDisruptionBudget', 'app', (p) => {
      (p.spec as { selector: unknown }).selector = { matchExpressions: [{ key: 'tier', operator: 'Exists' }] };
    });
    env = replace(env, 'HorizontalPodAutoscaler', 'app', (h) => {
      ((h.spec as Fixture).scaleTargetRef as Fixture).name = 'gone';
    });
    const report = await run({ 'dist/dev/app.yaml': env });
    expect(lines(report.problems).filter((l) => !l.includes('warning:'))).toEqual([
      'dist/dev/app.yaml: HorizontalPodAutoscaler/demo/app: spec.scaleTargetRef: target Deployment/gone is not rendered in namespace demo of dist/dev',
      'dist/dev/app.yaml: NetworkPolicy/demo/app-dns: spec.podSelector: selects no pod in namespace demo',
      'dist/dev/app.yaml: PodDisruptionBudget/demo/app: spec.selector: selects no pod in namespace demo',
    ]);
  });

  it('checks Secret references only where the namespace renders Secrets, and selectors per namespace', async () => {
    const withSecret = (env: Fixture[]): Fixture[] =>
      replace(env, 'Deployment', 'app', (d) => {
        const spec = ((d.spec as Fixture).template as Fixture).spec as { containers: Fixture[] };
        (spec.containers[0] as { envFrom: unknown[] }).envFrom.push({ secretRef: { name: 'app-secret' } });
      });
    const secret = (ns: string, name: string): Fixture => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: ns },
      stringData: { a: 'b' },
    });
    // a Secret in another namespace only: the reference is not checked (it comes from outside)
    const elsewhere = await run({
      'dist/dev/app.yaml': [
        ...withSecret(compliantEnvironment()),
        ...compliantEnvironment('other'),
        secret('other', 'x'),
      ],
    });
    expect(lines(elsewhere.problems).filter((l) => l.includes('app-secret'))).toEqual([]);
    // a Secret in the same namespace: the reference must name a rendered one
    const here = await run({ 'dist/dev/app.yaml': [...withSecret(compliantEnvironment()), secret('demo', 'x')] });
    expect(lines(here.problems).filter((l) => l.includes('app-secret'))).toEqual([
      'dist/dev/app.yaml: Deployment/demo/app: spec.template.spec.containers[0].envFrom[1].secretRef.name: Secret "app-secret" is not rendered in namespace demo of dist/dev',
    ]);
    // the Service of demo selects no pod when the only matching pods are in another namespace
    const pods = await run({
      'dist/dev/app.yaml': [
        ...compliantEnvironment().filter((o) => o.kind !== 'Deployment'),
        ...compliantEnvironment('other'),
      ],
    });
    expect(lines(pods.problems).filter((l) => l.includes('Service/demo/'))).toEqual([
      'dist/dev/app.yaml: Service/demo/app: spec.selector: selects no pod in namespace demo ({"app.kubernetes.io/name":"app","app.kubernetes.io/instance":"app-demo"})',
    ]);
  });

  it('reports a missing ConfigMap, a missing key and a missing ServiceAccount', async () => {
    const env = compliantEnvironment().filter((o) => o.kind !== 'ServiceAccount');
    const withoutKey = replace(env, 'ConfigMap', 'app-env', (c) => {
      c.data = { OTHER: 'x' };
    });
    const report = await run({
      'dist/dev/app.yaml': withoutKey.filter((o) => o.kind !== 'ConfigMap'),
      'dist/qa/app.yaml': withoutKey,
    });
    expect(lines(report.problems).filter((l) => !l.includes('warning:'))).toEqual([
      'dist/dev/app.yaml: Deployment/demo/app: spec.template.spec.containers[0].envFrom[0].configMapRef.name: ConfigMap "app-env" is not rendered in namespace demo of dist/dev',
      'dist/dev/app.yaml: Deployment/demo/app: spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef: ConfigMap "app-env" is not rendered in namespace demo of dist/dev',
      'dist/dev/app.yaml: Deployment/demo/app: spec.template.spec.serviceAccountName: ServiceAccount "app" is not rendered in namespace demo of dist/dev',
      'dist/qa/app.yaml: Deployment/demo/app: spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.key: ConfigMap app-env has no key "LOG_LEVEL" (has: OTHER)',
      'dist/qa/app.yaml: Deployment/demo/app: spec.template.spec.serviceAccountName: ServiceAccount "app" is not rendered in namespace demo of dist/qa',
    ]);
  });

  it('reports colliding objects within one environment directory only', async () => {
    const env = compliantEnvironment();
    const cm = env.find((o) => o.kind === 'ConfigMap') as Fixture;
    const report = await run({ 'dist/dev/app.yaml': env, 'dist/dev/more.yaml': [cm], 'dist/qa/app.yaml': env });
    expect(lines(report.problems)).toEqual([
      'dist/dev/more.yaml: ConfigMap/demo/app-env: -: collides with the same group/kind/namespace/name in dist/dev/app.yaml (in dist/dev)',
    ]);
  });

  it('reports a namespace that is not created in the environment directory', async () => {
    const env = compliantEnvironment().filter((o) => o.kind !== 'Namespace');
    const report = await run({ 'dist/dev/app.yaml': env });
    const ns = lines(report.problems).filter((l) => l.includes('is not created'));
    expect(ns).toHaveLength(8);
    expect(ns[0]).toBe(
      'dist/dev/app.yaml: ConfigMap/demo/app-env: metadata.namespace: namespace "demo" is not created in dist/dev: add a Namespace object there',
    );
  });

  it('reports storage classes that are not rendered where some are', async () => {
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'demo' },
      spec: { storageClassName: 'gp2', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    const sc = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'gp3' },
      provisioner: 'ebs.csi.aws.com',
    };
    const report = await run({ 'dist/dev/app.yaml': [...compliantEnvironment(), pvc, sc] });
    expect(lines(report.problems)).toEqual([
      'dist/dev/app.yaml: PersistentVolumeClaim/demo/data: spec.storageClassName: StorageClass "gp2" is not rendered in dist/dev (rendered: gp3)',
    ]);
  });

  it('validates XRs against the XRD found in crossplane/', async () => {
    const report = await run({
      'crossplane/xrd.yaml': [bucketXrd()],
      'dist/dev/app.yaml': [
        ...compliantEnvironment(),
        bucket({ region: 'eu-west-1' }),
        bucket({ regoin: 'eu-west-1' }),
      ],
    });
    expect(lines(report.problems)).toEqual([
      'dist/dev/app.yaml: Bucket/demo/b: -: collides with the same group/kind/namespace/name in dist/dev/app.yaml (in dist/dev)',
      'dist/dev/app.yaml: Bucket/demo/b: spec.region: required field is missing',
      'dist/dev/app.yaml: Bucket/demo/b: spec.regoin: unknown field (not in the schema)',
    ]);
  });

  it('knows the XR kinds of crossplane/ when validating only an environment directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'validate-'));
    mkdirSync(join(root, 'crossplane'));
    mkdirSync(join(root, 'dist', 'dev'), { recursive: true });
    writeFileSync(join(root, 'crossplane', 'xrd.yaml'), stringify(bucketXrd()));
    writeFileSync(
      join(root, 'dist', 'dev', 'app.yaml'),
      [...compliantEnvironment(), bucket({ region: 'nowhere' })].map((d) => stringify(d)).join('---\n'),
    );
    const report = await validatePlatform([join(root, 'dist', 'dev')], {
      registry: SchemaRegistry.load(resolveSchemasDir()),
      repoRoot: root,
    });
    expect(lines(report.problems)).toEqual([
      'dist/dev/app.yaml: Bucket/demo/b: spec.region: got "nowhere"; expected one of "eu-west-1", "us-east-1"',
    ]);
    expect(report.objects).toBe(11);
  });

  it('reports documents that are not Kubernetes objects, bad YAML, unknown kinds and scope errors', async () => {
    const report = await run({
      'argocd/x.yaml': 'kind: ConfigMap\nmetadata: {name: a, namespace: argocd}\n---\n- a list\n',
      'argocd/y.yaml': 'a: [unclosed\n',
      'argocd/z.yaml': [
        { apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'argocd' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', namespace: 'x' } },
      ],
    });
    expect(lines(report.problems)).toEqual([
      'argocd/x.yaml: -/-/-: -: document 2: expected a Kubernetes object (a mapping), got a list',
      'argocd/x.yaml: ConfigMap/argocd/a: apiVersion: required: got nothing; expected a string',
      expect.stringMatching(/^argocd\/y\.yaml: -\/-\/-: -: not valid YAML: /) as string,
      'argocd/z.yaml: ConfigMap/-/Bad_Name: metadata.name: got "Bad_Name"; expected a DNS-1123 subdomain (lower-case alphanumerics, "-" and ".", at most 253)',
      'argocd/z.yaml: ConfigMap/-/Bad_Name: metadata.namespace: ConfigMap is namespaced: set metadata.namespace explicitly',
      'argocd/z.yaml: Namespace/x/n: metadata.namespace: Namespace is cluster-scoped: remove metadata.namespace (got "x")',
      expect.stringContaining(
        'argocd/z.yaml: Namespace/x/n: metadata.namespace: namespace "x" is neither rendered',
      ) as string,
      expect.stringContaining('argocd/z.yaml: Widget/argocd/w: -: unknown kind Widget in example.org/v1') as string,
    ]);
  });

  it('checks kustomizations instead of validating them as objects', async () => {
    const report = await run({
      'argocd/bootstrap/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ns.yaml\n  - missing.yaml\n  - https://example.org/install.yaml\n',
      'argocd/bootstrap/ns.yaml': [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }],
    });
    expect(lines(report.problems)).toEqual([
      'argocd/bootstrap/kustomization.yaml: Kustomization/-/-: resources[1]: "missing.yaml" does not exist next to the kustomization',
    ]);
    expect(report.objects).toBe(1);
  });

  it("puts a kustomization's patches in its namespace, and refuses a patch that names one (kustomize matches nothing)", async () => {
    const kustomization =
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: argocd\nresources:\n  - ns.yaml\npatches:\n  - path: cm.yaml\n';
    const ns = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }];
    const ok = await run({
      'argocd/bootstrap/kustomization.yaml': kustomization,
      'argocd/bootstrap/ns.yaml': ns,
      'argocd/bootstrap/cm.yaml': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm' }, data: {} }],
    });
    expect(lines(ok.problems)).toEqual([]);
    const bad = await run({
      'argocd/bootstrap/kustomization.yaml': kustomization,
      'argocd/bootstrap/ns.yaml': ns,
      'argocd/bootstrap/cm.yaml': [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data: {} },
      ],
    });
    expect(lines(bad.problems)).toEqual([
      expect.stringContaining(
        'argocd/bootstrap/cm.yaml: ConfigMap/argocd/argocd-cm: metadata.namespace: a patch of a kustomization that sets namespace must not set one',
      ),
    ]);
  });

  it('checks a document repeated byte for byte once, and reports its problems at every file that holds it', async () => {
    const env = replace(compliantEnvironment(), 'Service', 'app', (s) => {
      (s.spec as { selector: unknown }).selector = { 'app.kubernetes.io/name': 'typo' };
    });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared', namespace: 'app' }, bogus: 1 };
    const report = await run({ 'dist/dev/app.yaml': [...env, cm], 'dist/staging/app.yaml': [...env, cm] });
    const bogus = lines(report.problems).filter((l) => l.includes('bogus'));
    expect(bogus).toEqual([
      expect.stringMatching(/^dist\/dev\/app\.yaml: ConfigMap\/app\/shared: bogus: /),
      expect.stringMatching(/^dist\/staging\/app\.yaml: ConfigMap\/app\/shared: bogus: /),
    ]);
    expect(lines(report.problems).filter((l) => l.includes('selects no pod'))).toHaveLength(2);
  });

  it("sets the kustomization's namespace on its patch only, not on the same document elsewhere", async () => {
    const kustomization =
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: argocd\nresources:\n  - ns.yaml\npatches:\n  - path: cm.yaml\n';
    const cm = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm' }, data: {} }];
    const report = await run({
      'argocd/bootstrap/kustomization.yaml': kustomization,
      'argocd/bootstrap/ns.yaml': [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }],
      'argocd/bootstrap/cm.yaml': cm,
      'dist/dev/cm.yaml': cm,
    });
    // the copy in dist/dev has no namespace (and is reported for it); the patch got the kustomization's
    expect(lines(report.problems).filter((l) => l.startsWith('argocd/'))).toEqual([]);
    expect(lines(report.problems).filter((l) => l.startsWith('dist/dev/cm.yaml'))).toEqual([
      expect.stringContaining('ConfigMap/-/argocd-cm: metadata.namespace'),
    ]);
  });

  it('reports a missing input path', async () => {
    const report = await validatePlatform(['/nonexistent/dir'], { registry, repoRoot: '/tmp' });
    expect(lines(report.problems)).toEqual(['/nonexistent/dir: -/-/-: -: no such file or directory']);
  });
});
