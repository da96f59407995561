import { App, Chart } from 'cdk8s';
import { join } from 'node:path';
import { loadEnvironments } from '../config/load';
import type { EnvironmentConfig } from '../config/environment';
import { renderEnvironment } from '../render';
import { addEnvironmentCharts } from './environment';
import { yamlData } from '../testing/yaml-data';

const repoRoot = join(__dirname, '..', '..', '..');
const envs = loadEnvironments(repoRoot);
const byName = (name: string): EnvironmentConfig => envs.find((e) => e.name === name)!;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

/** Freezes `o` and everything in it: the objects a render parses to are shared by the tests, which only read them. */
function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Each environment's render, parsed, by file: rendered and parsed once per environment object, read-only. */
const rendered = new WeakMap<EnvironmentConfig, ReadonlyMap<string, readonly Obj[]>>();
function parsedRender(env: EnvironmentConfig): ReadonlyMap<string, readonly Obj[]> {
  let byFile = rendered.get(env);
  if (byFile === undefined) {
    byFile = new Map(
      [...renderEnvironment(repoRoot, env)].map(([file, text]) => [file, deepFreeze(yamlData(text) as Obj[])]),
    );
    rendered.set(env, byFile);
  }
  return byFile;
}

function objectsOf(env: EnvironmentConfig): Obj[] {
  return [...parsedRender(env).values()].flat();
}
/** Objects of some files of `dist/<env>/`. */
function objectsOfFiles(env: EnvironmentConfig, files: readonly string[]): Obj[] {
  return [...parsedRender(env)].filter(([file]) => files.includes(file)).flatMap(([, objs]) => objs);
}
/** Objects of the charts in cdk8s/src/charts (the Crossplane charts are tested in cdk8s/src/crossplane). */
const workloadObjectsOf = (env: EnvironmentConfig): Obj[] => objectsOfFiles(env, WORKLOAD_FILES);
const WORKLOAD_FILES = ['namespaces.yaml', 'graphite.yaml', 'metrics-app.yaml'];
/** The files of the Crossplane charts (cdk8s/src/crossplane): the platform API and the environment's XRs. */
const PLATFORM_FILES = ['platform-api.yaml', 'aws-resources.yaml'];

function find(objs: Obj[], kind: string, name: string): Obj {
  const found = objs.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

describe.each(envs.map((e) => [e.name, e] as const))('environment %s', (_name, env) => {
  const objs = objectsOf(env);
  const deployment = find(objs, 'Deployment', 'metrics-app');
  const pod = deployment.spec.template.spec;
  const app = pod.containers[0];

  it('labels the app namespace restricted and Graphite baseline with restricted audit/warn', () => {
    const appNs = find(objs, 'Namespace', env.namespace).metadata.labels;
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(appNs[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
      expect(appNs[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.34');
    }
    const graphiteNs = find(objs, 'Namespace', `${env.namespace}-graphite`).metadata.labels;
    expect(graphiteNs['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(graphiteNs['pod-security.kubernetes.io/audit']).toBe('restricted');
    expect(graphiteNs['pod-security.kubernetes.io/warn']).toBe('restricted');
  });

  it('hardens the app pod for Pod Security restricted', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(app.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 10001,
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(env.app.shutdownTimeoutMs);
  });

  it('probes /healthz and /readyz on 8080 and sets the configured resources', () => {
    expect(app.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 8080 });
    expect(app.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 8080 });
    expect(app.resources.requests).toEqual(env.app.resources.requests);
    expect(app.resources.limits.memory).toBe(env.app.resources.limits.memory);
  });

  it('pins the image by digest', () => {
    const { repository, tag, digest } = env.app.image;
    expect(app.image).toBe(`${repository}:${tag}@${digest}`);
    expect(app.image).toMatch(/:[^:@/]+@sha256:[a-f0-9]{64}$/);
  });

  it('gives the app exactly the environment variables it reads, statsd pointing at the Service', () => {
    const cm = find(objs, 'ConfigMap', 'metrics-app-env');
    expect(Object.keys(cm.data).sort()).toEqual(
      [
        'HTTP_PORT',
        'LOG_LEVEL',
        'METRICS_BACKEND_HOST',
        'METRICS_BACKEND_PORT',
        'METRICS_BUFFER_SIZE',
        'METRICS_FLUSH_INTERVAL_MS',
        'METRICS_INTERVAL_MS',
        'METRICS_PREFIX',
        'METRICS_PROTOCOL',
        'METRICS_SAMPLE_RATE',
        'SHUTDOWN_TIMEOUT_MS',
      ].sort(),
    );
    const statsd = find(objs, 'Service', 'statsd');
    expect(cm.data.METRICS_BACKEND_HOST).toBe(`statsd.${statsd.metadata.namespace}.svc.cluster.local`);
    expect(statsd.spec.ports).toEqual([{ name: 'statsd', port: 8125, protocol: 'UDP', targetPort: 8125 }]);
    expect(app.envFrom).toEqual([{ configMapRef: { name: 'metrics-app-env' } }]);
  });

  it('runs the compose Graphite image with a gp3 claim template', () => {
    const sts = find(objs, 'StatefulSet', 'graphite');
    expect(sts.spec.template.spec.containers[0].image).toBe(env.graphite.image);
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: 'gp3',
      resources: { requests: { storage: env.graphite.storageSize } },
    });
    expect(find(objs, 'Service', 'graphite-web').spec.ports[0].port).toBe(80);
  });

  it('keeps Graphite inside baseline, with every policy exemption reasoned', () => {
    const sts = find(objs, 'StatefulSet', 'graphite');
    const c = sts.spec.template.spec.containers[0];
    expect(c.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false });
    expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
    expect(c.securityContext.capabilities.add).not.toContain('NET_RAW');
    expect(sts.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(c.imagePullPolicy).toBe('Always');
    const exempted = (annotations: Record<string, string>): string[] =>
      Object.keys(annotations)
        .map((k) => /^polaris\.fairwinds\.com\/(.+)-exempt$/.exec(k)?.[1])
        .filter((c): c is string => c !== undefined);
    const graphiteExempt = exempted(sts.metadata.annotations);
    for (const check of graphiteExempt) {
      expect(sts.metadata.annotations[`polaris.fairwinds.com/${check}-exempt`]).toBe('true');
      expect(sts.metadata.annotations[`policy.metrics-platform.dev/${check}-exempt-reason`]).toMatch(/^\S.{10,}$/);
    }
    expect(graphiteExempt).toContain('runAsRootAllowed');
    const appExempt = exempted(deployment.metadata.annotations);
    for (const check of ['runAsRootAllowed', 'notReadOnlyRootFilesystem', 'insecureCapabilities']) {
      expect(appExempt).not.toContain(check);
    }
  });

  it('puts standard labels, an explicit namespace and a DNS-1123 name on every object of the workload charts', () => {
    const clusterScoped = new Set(['Namespace', 'StorageClass']);
    for (const o of workloadObjectsOf(env)) {
      const where = `${o.kind}/${o.metadata.name}`;
      for (const key of ['name', 'instance', 'version', 'component', 'part-of', 'managed-by']) {
        expect([where, o.metadata.labels?.[`app.kubernetes.io/${key}`]]).toEqual([where, expect.any(String)]);
      }
      expect([where, o.metadata.name]).toEqual([where, expect.stringMatching(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)]);
      if (!clusterScoped.has(o.kind)) expect([where, o.metadata.namespace]).toEqual([where, expect.any(String)]);
      expect([where, o.metadata.annotations?.['argocd.argoproj.io/sync-wave']]).toEqual([where, expect.any(String)]);
      expect(JSON.stringify(o)).not.toContain('cdk8s.io/metadata.addr');
    }
  });

  it('puts the standard labels on every platform API object and XR, an instance on the per-environment ones', () => {
    const objs = objectsOfFiles(env, PLATFORM_FILES);
    expect(new Set(objs.map((o) => o.kind))).toEqual(
      new Set([
        'DeploymentRuntimeConfig',
        'Provider',
        'Function',
        'ProviderConfig',
        'CompositeResourceDefinition',
        'Composition',
        'Repository',
        'ClusterAddons',
        // The origin of the promotion chain replicates, the others receive (environments/*.yaml promotion.from).
        env.promotion === undefined ? 'RegistryReplication' : 'RegistryReplicationGrant',
      ]),
    );
    for (const o of objs) {
      const where = `${o.kind}/${o.metadata.name}`;
      const label = (key: string) => o.metadata.labels?.[`app.kubernetes.io/${key}`];
      expect([where, label('part-of'), label('managed-by')]).toEqual([where, 'metrics-platform', 'platform-synth']);
      for (const key of ['name', 'component'])
        expect([where, key, label(key)]).toEqual([where, key, expect.any(String)]);
      // The namespaced ones (ProviderConfig, XRs) exist once per environment; the rest is the same everywhere.
      const instance =
        o.metadata.namespace === undefined ? undefined : expect.stringMatching(new RegExp(`-${env.name}$`));
      expect([where, label('instance')]).toEqual([where, instance]);
    }
    const instances = objs.map((o) => o.metadata.labels['app.kubernetes.io/instance']).filter((i) => i !== undefined);
    const workloadInstances = workloadObjectsOf(env).map((o) => o.metadata.labels['app.kubernetes.io/instance']);
    expect(instances.filter((i) => workloadInstances.includes(i))).toEqual([]);
    expect(new Set(instances).size).toBe(instances.length);
  });

  it('denies all traffic by default in both namespaces', () => {
    for (const ns of [env.namespace, `${env.namespace}-graphite`]) {
      const deny = objs.find(
        (o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && o.metadata.name === 'default-deny-all',
      );
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Egress', 'Ingress'] });
    }
  });

  it('lets the app out only to DNS and statsd, and nothing in', () => {
    const policy = find(objs, 'NetworkPolicy', 'metrics-app');
    expect(policy.spec.ingress).toBeUndefined();
    expect(policy.spec.policyTypes).toEqual(['Egress', 'Ingress']);
    expect(policy.spec.egress).toEqual([
      {
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
      },
      {
        ports: [{ port: 8125, protocol: 'UDP' }],
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': `${env.namespace}-graphite` } },
            podSelector: find(objs, 'StatefulSet', 'graphite').spec.selector,
          },
        ],
      },
    ]);
  });

  it('lets into Graphite only the app on 8125/udp and Grafana on 80/tcp', () => {
    const policy = find(objs, 'NetworkPolicy', 'graphite');
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': env.namespace } },
            podSelector: deployment.spec.selector,
          },
        ],
        ports: [{ port: 8125, protocol: 'UDP' }],
      },
      {
        // One namespace by default, never every namespace (fails before this fix: namespaceSelector was {}).
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } },
          },
        ],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ]);
  });

  it('selects pods with the labels the pod templates carry', () => {
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(find(objs, 'Service', 'metrics-app').spec.selector))
      expect(podLabels[k]).toBe(v);
    for (const [k, v] of Object.entries(find(objs, 'PodDisruptionBudget', 'metrics-app').spec.selector.matchLabels)) {
      expect(podLabels[k]).toBe(v);
    }
    const graphiteLabels = find(objs, 'StatefulSet', 'graphite').spec.template.metadata.labels;
    for (const svc of ['statsd', 'graphite-web', 'graphite-headless']) {
      for (const [k, v] of Object.entries(find(objs, 'Service', svc).spec.selector)) expect(graphiteLabels[k]).toBe(v);
    }
  });

  it('orders namespaces and policies before everything namespaced, workloads last', () => {
    const wave = (o: Obj) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    const nsWave = wave(find(objs, 'Namespace', env.namespace));
    for (const o of objs.filter((x) => x.metadata.namespace !== undefined && x.kind !== 'NetworkPolicy')) {
      expect([o.kind, wave(o) > nsWave]).toEqual([o.kind, true]);
    }
    for (const p of objs.filter((x) => x.kind === 'NetworkPolicy')) expect(wave(p)).toBe(nsWave);
    expect(wave(deployment)).toBe(Math.max(...objs.map(wave)));
    for (const o of objs.filter((x) => !/^([^./]+|[^/]+\.k8s\.io)\/[^/]+$|^v1$/.test(x.apiVersion))) {
      expect([o.kind, o.metadata.annotations['argocd.argoproj.io/sync-options']]).toEqual([
        o.kind,
        expect.stringContaining('SkipDryRunOnMissingResource=true'),
      ]);
    }
  });

  it('has no construct that depends on a construct of another chart (platform synth gives each chart its own App)', () => {
    // as `cdk8s synth` builds them: every chart of the environment in one App
    const charts = addEnvironmentCharts(new App(), env, '', envs);
    const crossing: string[] = [];
    let dependencies = 0;
    for (const { chart } of charts) {
      for (const c of chart.node.findAll()) {
        for (const d of c.node.dependencies) {
          dependencies++;
          if (Chart.of(d) !== chart) crossing.push(`${c.node.path} -> ${d.node.path}`);
        }
      }
    }
    expect(dependencies).toBeGreaterThan(0); // cdk8s-plus orders some objects by dependencies: the walk sees them
    expect(crossing).toEqual([]);
  });

  it('never renders the same kind/namespace/name twice', () => {
    const ids = objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('per-environment differences', () => {
  const hpas = (name: string) => objectsOf(byName(name)).filter((o) => o.kind === 'HorizontalPodAutoscaler');
  const spread = (name: string) =>
    objectsOf(byName(name)).find((o) => o.kind === 'Deployment').spec.template.spec.topologySpreadConstraints;

  it('autoscales staging and prod only, and leaves their replica count to the HPA', () => {
    expect(hpas('dev')).toHaveLength(0);
    for (const name of ['staging', 'prod']) {
      const [hpa] = hpas(name);
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec).toMatchObject({
        minReplicas: byName(name).app.autoscaling!.minReplicas,
        maxReplicas: byName(name).app.autoscaling!.maxReplicas,
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'metrics-app' },
      });
      expect(objectsOf(byName(name)).find((o) => o.kind === 'Deployment').spec.replicas).toBeUndefined();
    }
    expect(objectsOf(byName('dev')).find((o) => o.kind === 'Deployment').spec.replicas).toBe(
      byName('dev').app.replicas,
    );
  });

  it('spreads pods over zones and nodes in prod only', () => {
    expect(spread('dev')).toBeUndefined();
    expect(spread('staging')).toBeUndefined();
    expect(spread('prod').map((c: Obj) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
  });

  it("exempts the app in Polaris's own annotations, each with its reason, only where the check does not apply", () => {
    const annotations = (name: string): Record<string, string> =>
      objectsOf(byName(name)).find((o) => o.kind === 'Deployment').metadata.annotations;
    const exempt = (name: string): string[] =>
      Object.entries(annotations(name))
        .filter(([k, v]) => k.startsWith('polaris.fairwinds.com/') && v === 'true')
        .map(([k]) => k.replace(/^polaris\.fairwinds\.com\/(.+)-exempt$/, '$1'))
        .sort();
    // Real Polaris ignored the old home-made annotation (fails before this fix).
    for (const name of ['dev', 'staging', 'prod']) {
      expect(annotations(name)).not.toHaveProperty('policy.metrics-platform.dev/exempt');
      for (const check of exempt(name))
        expect(annotations(name)[`policy.metrics-platform.dev/${check}-exempt-reason`]).toMatch(/\S/);
    }
    expect(exempt('dev')).toEqual(['deploymentMissingReplicas', 'priorityClassNotSet', 'topologySpreadConstraint']);
    expect(annotations('dev')['policy.metrics-platform.dev/deploymentMissingReplicas-exempt-reason']).toMatch(
      /dev runs app.replicas=1/,
    );
    expect(exempt('staging')).toEqual(['deploymentMissingReplicas', 'priorityClassNotSet', 'topologySpreadConstraint']);
    // prod leaves spec.replicas to its HPA (Polaris requires spec.replicas), and spreads its pods.
    expect(exempt('prod')).toEqual(['deploymentMissingReplicas', 'priorityClassNotSet']);
    expect(annotations('prod')['policy.metrics-platform.dev/deploymentMissingReplicas-exempt-reason']).toMatch(
      /HorizontalPodAutoscaler owns the replica count \(minReplicas 3\)/,
    );
  });

  it('admits the configured web clients to the Graphite UI, in one namespace when given', () => {
    const dev = byName('dev');
    const env = {
      ...dev,
      graphite: { ...dev.graphite, webClients: { namespace: 'monitoring', podLabels: { app: 'grafana' } } },
    };
    const policy = objectsOf(env).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'graphite');
    expect(policy.spec.ingress[1]).toEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          podSelector: { matchLabels: { app: 'grafana' } },
        },
      ],
      ports: [{ port: 80, protocol: 'TCP' }],
    });
  });

  it('renders the StorageClass only where the environment owns it', () => {
    const env = { ...byName('dev'), graphite: { ...byName('dev').graphite, createStorageClass: false } };
    expect(objectsOf(env).some((o) => o.kind === 'StorageClass')).toBe(false);
    expect(objectsOf(byName('dev')).filter((o) => o.kind === 'StorageClass')).toHaveLength(1);
  });
});
