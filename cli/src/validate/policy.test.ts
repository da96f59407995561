import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourcedObject } from './load-files';
import { checkPolicies, parseImage, productionEnvironments, type PolicyExemption } from './policy';
import { POLICY_CHECKS, type PolicyCheckId } from './policy-checks';
import { compliantEnvironment, edited, type Fixture } from './testdata/fixtures';

type PodSpec = Record<string, unknown> & { containers: Record<string, unknown>[]; volumes?: unknown[] };
type Dep = Fixture & { spec: Record<string, unknown> & { template: { spec: PodSpec } } };

function sourced(objects: Fixture[], group = 'dist/dev'): SourcedObject[] {
  return objects.map((object) => ({ file: `${group}/app.yaml`, object, group }));
}

/** The compliant environment with the Deployment edited. */
function withDeployment(edit: (d: Dep) => void, group = 'dist/dev', drop: string[] = []): SourcedObject[] {
  const env = compliantEnvironment()
    .filter((o) => !drop.includes(String(o.kind)))
    .map((o) => (o.kind === 'Deployment' ? edited(o as Dep, edit) : o));
  return sourced(env, group);
}

const pod = (d: Dep): PodSpec => d.spec.template.spec;
const ctr = (d: Dep): Record<string, unknown> => pod(d).containers[0] as Record<string, unknown>;
const sc = (d: Dep): Record<string, unknown> => ctr(d).securityContext as Record<string, unknown>;

function findings(objects: SourcedObject[], prodEnvironments: string[] = []) {
  return checkPolicies(objects, { prodEnvironments }).map((p) => ({
    check: p.message.split(':')[0],
    severity: p.severity,
    path: p.path,
  }));
}

describe('policy checks', () => {
  it('pass a compliant environment', () => {
    expect(
      checkPolicies(
        withDeployment(() => undefined),
        { prodEnvironments: ['dev'] },
      ),
    ).toEqual([]);
  });

  const cases: [PolicyCheckId, (d: Dep) => void, string][] = [
    [
      'cpuRequestsMissing',
      (d) => delete (ctr(d).resources as { requests: Record<string, unknown> }).requests.cpu,
      'spec.template.spec.containers[0].resources.requests.cpu',
    ],
    [
      'memoryRequestsMissing',
      (d) => delete (ctr(d).resources as { requests: Record<string, unknown> }).requests.memory,
      'spec.template.spec.containers[0].resources.requests.memory',
    ],
    [
      'cpuLimitsMissing',
      (d) => delete (ctr(d).resources as { limits: Record<string, unknown> }).limits.cpu,
      'spec.template.spec.containers[0].resources.limits.cpu',
    ],
    [
      'memoryLimitsMissing',
      (d) => delete (ctr(d).resources as { limits: Record<string, unknown> }).limits.memory,
      'spec.template.spec.containers[0].resources.limits.memory',
    ],
    ['readinessProbeMissing', (d) => delete ctr(d).readinessProbe, 'spec.template.spec.containers[0].readinessProbe'],
    ['livenessProbeMissing', (d) => delete ctr(d).livenessProbe, 'spec.template.spec.containers[0].livenessProbe'],
    [
      'runAsRootAllowed',
      (d) => {
        pod(d).securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
      },
      'spec.template.spec.containers[0].securityContext.runAsNonRoot',
    ],
    [
      'notReadOnlyRootFilesystem',
      (d) => {
        sc(d).readOnlyRootFilesystem = false;
      },
      'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem',
    ],
    [
      'privilegeEscalationAllowed',
      (d) => delete sc(d).allowPrivilegeEscalation,
      'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
    ],
    [
      'runAsPrivileged',
      (d) => {
        sc(d).privileged = true;
      },
      'spec.template.spec.containers[0].securityContext.privileged',
    ],
    [
      'dangerousCapabilities',
      (d) => {
        sc(d).capabilities = { drop: ['ALL'], add: ['SYS_ADMIN'] };
      },
      'spec.template.spec.containers[0].securityContext.capabilities.add',
    ],
    [
      'insecureCapabilities',
      (d) => {
        sc(d).capabilities = { drop: ['NET_RAW'] };
      },
      'spec.template.spec.containers[0].securityContext.capabilities',
    ],
    [
      'hostNetworkSet',
      (d) => {
        pod(d).hostNetwork = true;
      },
      'spec.template.spec.hostNetwork',
    ],
    [
      'hostPIDSet',
      (d) => {
        pod(d).hostPID = true;
      },
      'spec.template.spec.hostPID',
    ],
    [
      'hostIPCSet',
      (d) => {
        pod(d).hostIPC = true;
      },
      'spec.template.spec.hostIPC',
    ],
    [
      'hostPortSet',
      (d) => {
        (ctr(d).ports as Record<string, unknown>[])[0]!.hostPort = 8080;
      },
      'spec.template.spec.containers[0].ports[0].hostPort',
    ],
    [
      'hostPathSet',
      (d) => {
        pod(d).volumes = [{ name: 'h', hostPath: { path: '/var/run' } }];
      },
      'spec.template.spec.volumes[0].hostPath',
    ],
    [
      'procMount',
      (d) => {
        sc(d).procMount = 'Unmasked';
      },
      'spec.template.spec.containers[0].securityContext.procMount',
    ],
    [
      'tagNotSpecified',
      (d) => {
        ctr(d).image = 'registry.example.org/app:latest';
        ctr(d).imagePullPolicy = 'Always';
      },
      'spec.template.spec.containers[0].image',
    ],
    [
      'pullPolicyNotAlways',
      (d) => {
        // As Polaris: a digest pin does not excuse it (fails before this fix).
        ctr(d).imagePullPolicy = 'IfNotPresent';
      },
      'spec.template.spec.containers[0].imagePullPolicy',
    ],
    [
      'automountServiceAccountToken',
      (d) => {
        pod(d).automountServiceAccountToken = true;
      },
      'spec.template.spec.automountServiceAccountToken',
    ],
    ['priorityClassNotSet', (d) => delete pod(d).priorityClassName, 'spec.template.spec.priorityClassName'],
    [
      'topologySpreadConstraint',
      (d) => delete pod(d).topologySpreadConstraints,
      'spec.template.spec.topologySpreadConstraints',
    ],
    [
      'sensitiveContainerEnvVar',
      (d) => {
        ctr(d).env = [{ name: 'DB_PASSWORD', value: 'hunter2' }];
      },
      'spec.template.spec.containers[0].env[0].value',
    ],
  ];

  it.each(cases)('catch %s', (check, edit, path) => {
    expect(findings(withDeployment(edit))).toEqual([{ check, severity: POLICY_CHECKS[check].severity, path }]);
  });

  it('catch a container with no seccomp, AppArmor or SELinux profile that does not drop ALL (linuxHardening)', () => {
    const unhardened = (d: Dep): void => {
      pod(d).securityContext = { runAsNonRoot: true };
      sc(d).capabilities = { drop: ['NET_RAW'] };
    };
    // Not dropping ALL also keeps default capabilities: both are reported, on their own paths.
    expect(findings(withDeployment(unhardened))).toEqual([
      {
        check: 'insecureCapabilities',
        severity: 'warning',
        path: 'spec.template.spec.containers[0].securityContext.capabilities',
      },
      { check: 'linuxHardening', severity: 'warning', path: 'spec.template.spec.containers[0].securityContext' },
    ]);
    const unconfined = (d: Dep): void => {
      unhardened(d);
      sc(d).seccompProfile = { type: 'Unconfined' };
    };
    expect(findings(withDeployment(unconfined)).map((f) => f.check)).toContain('linuxHardening');
    // Any one of the mechanisms, on the pod or the container, is enough.
    const mechanisms: [string, (d: Dep) => void][] = [
      ['container seccomp', (d) => void (sc(d).seccompProfile = { type: 'RuntimeDefault' })],
      [
        'pod seccomp',
        (d) => void (pod(d).securityContext = { runAsNonRoot: true, seccompProfile: { type: 'Localhost' } }),
      ],
      ['container AppArmor', (d) => void (sc(d).appArmorProfile = { type: 'RuntimeDefault' })],
      [
        'pod AppArmor',
        (d) => void (pod(d).securityContext = { runAsNonRoot: true, appArmorProfile: { type: 'RuntimeDefault' } }),
      ],
      ['container SELinux', (d) => void (sc(d).seLinuxOptions = { level: 's0:c123,c456' })],
      [
        'pod SELinux',
        (d) => void (pod(d).securityContext = { runAsNonRoot: true, seLinuxOptions: { level: 's0:c123,c456' } }),
      ],
    ];
    for (const [name, harden] of mechanisms) {
      const checks = findings(
        withDeployment((d) => {
          unhardened(d);
          harden(d);
        }),
      ).map((f) => f.check);
      expect({ name, checks }).toEqual({ name, checks: ['insecureCapabilities'] });
    }
    const dropAll = (d: Dep): void => {
      unhardened(d);
      sc(d).capabilities = { drop: ['ALL'] };
    };
    expect(findings(withDeployment(dropAll))).toEqual([]);
  });

  it('catch a pod no NetworkPolicy covers', () => {
    const env = sourced(compliantEnvironment().filter((o) => o.kind !== 'NetworkPolicy'));
    expect(findings(env)).toEqual([{ check: 'missingNetworkPolicy', severity: 'warning', path: 'spec.template.spec' }]);
  });

  it('require 2 replicas, a PDB and topology spread in production (errors there, warnings elsewhere)', () => {
    const weak = (d: Dep): void => {
      d.spec.replicas = 1;
      delete pod(d).topologySpreadConstraints;
    };
    const drop = ['PodDisruptionBudget', 'HorizontalPodAutoscaler'];
    const expected = (severity: 'error' | 'warning') => [
      { check: 'deploymentMissingReplicas', severity, path: 'spec.replicas' },
      { check: 'missingPodDisruptionBudget', severity, path: '-' },
      { check: 'topologySpreadConstraint', severity, path: 'spec.template.spec.topologySpreadConstraints' },
    ];
    expect(findings(withDeployment(weak, 'dist/prod', drop), ['prod'])).toEqual(expected('error'));
    expect(findings(withDeployment(weak, 'dist/dev', drop), ['prod'])).toEqual(expected('warning'));
  });

  it("count only the NetworkPolicy, PDB and HPA of the workload's own namespace", () => {
    const elsewhere = (o: Fixture): Fixture =>
      ['NetworkPolicy', 'PodDisruptionBudget', 'HorizontalPodAutoscaler'].includes(String(o.kind))
        ? edited(o, (c) => void ((c.metadata as Fixture).namespace = 'other'))
        : o;
    const weak = (d: Dep): void => void delete pod(d).topologySpreadConstraints;
    const env = withDeployment(weak, 'dist/prod').map((s) => ({ ...s, object: elsewhere(s.object as Fixture) }));
    expect(findings(env, ['prod'])).toEqual([
      { check: 'missingNetworkPolicy', severity: 'warning', path: 'spec.template.spec' },
      { check: 'missingPodDisruptionBudget', severity: 'error', path: '-' },
      { check: 'topologySpreadConstraint', severity: 'error', path: 'spec.template.spec.topologySpreadConstraints' },
    ]);
  });

  it('check PDBs and HPAs', () => {
    const env = compliantEnvironment().map((o) => {
      if (o.kind === 'PodDisruptionBudget') return edited(o, (p) => void ((p.spec as Fixture).minAvailable = 2));
      if (o.kind === 'HorizontalPodAutoscaler')
        return edited(o, (h) => Object.assign(h.spec as Fixture, { minReplicas: 1, maxReplicas: 1 }));
      return o;
    });
    expect(findings(sourced(env)).map((f) => f.check)).toEqual([
      'hpaMinAvailability',
      'hpaMaxAvailability',
      'pdbMinAvailableGreaterThanOrEqualToHPAMinReplicas',
    ]);
    const zero = compliantEnvironment().map((o) =>
      o.kind === 'PodDisruptionBudget'
        ? edited(o, (p) => void (p.spec = { maxUnavailable: 0, selector: (p.spec as Fixture).selector }))
        : o,
    );
    expect(findings(sourced(zero))).toEqual([
      { check: 'pdbDisruptionsIsZero', severity: 'warning', path: 'spec.maxUnavailable' },
    ]);
  });

  it('check RBAC, ConfigMaps and Ingresses', () => {
    const objects: Fixture[] = [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'r' },
        rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'b' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [],
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'demo' }, data: { API_TOKEN: 'x' } },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'i', namespace: 'demo' },
        spec: { rules: [] },
      },
    ];
    expect(findings(sourced(objects)).map((f) => `${f.check} ${f.severity}`)).toEqual([
      'clusterrolePodExecAttach error',
      'clusterrolebindingClusterAdmin error',
      'sensitiveConfigmapContent error',
      'tlsSettingsMissing warning',
    ]);
  });

  it('require spec.replicas even when an HPA owns the count, as Polaris does (fails before this fix)', () => {
    const env = withDeployment((d) => delete (d.spec as Fixture).replicas);
    expect(findings(env)).toEqual([{ check: 'deploymentMissingReplicas', severity: 'warning', path: 'spec.replicas' }]);
  });

  it("honour reasoned exemptions in Polaris's annotations and the reviewed list", () => {
    const annotated = withDeployment((d) => {
      (d.metadata as Fixture).annotations = {
        'polaris.fairwinds.com/notReadOnlyRootFilesystem-exempt': 'true',
        'policy.metrics-platform.dev/notReadOnlyRootFilesystem-exempt-reason':
          'the image writes its whisper files under /opt',
        'polaris.fairwinds.com/hostPortSet-exempt': 'true',
        'policy.metrics-platform.dev/hostPortSet-exempt-reason': 'test',
      };
      sc(d).readOnlyRootFilesystem = false;
    });
    expect(findings(annotated)).toEqual([
      {
        check: 'exemption of hostPortSet is not needed',
        severity: 'warning',
        path: 'metadata.annotations["polaris.fairwinds.com/hostPortSet-exempt"]',
      },
    ]);
    const reviewed: PolicyExemption[] = [
      { check: 'priorityClassNotSet', kind: 'Deployment', name: 'app', reason: 'best effort' },
    ];
    const noPriority = withDeployment((d) => delete pod(d).priorityClassName);
    expect(checkPolicies(noPriority, { prodEnvironments: [], exemptions: reviewed })).toEqual([]);
  });

  it('reject exemptions Polaris would not honour, of unknown checks, or without a reason', () => {
    const env = withDeployment((d) => {
      (d.metadata as Fixture).annotations = {
        'policy.metrics-platform.dev/exempt': 'notReadOnlyRootFilesystem=legacy',
        'polaris.fairwinds.com/exempt': 'true',
        'polaris.fairwinds.com/runAsRoot-exempt': 'true',
        'polaris.fairwinds.com/notReadOnlyRootFilesystem-exempt': 'true',
        'polaris.fairwinds.com/hostPortSet-exempt': 'yes',
        'policy.metrics-platform.dev/hostPortSet-exempt-reason': 'test',
        'policy.metrics-platform.dev/linuxHardening-exempt-reason': 'reason only',
      };
    });
    const problems = checkPolicies(env, { prodEnvironments: [] });
    const at = (key: string) => `metadata.annotations[${JSON.stringify(key)}]`;
    expect(problems.map((p) => [p.severity, p.path, p.message])).toEqual([
      [
        'error',
        at('policy.metrics-platform.dev/exempt'),
        expect.stringMatching(/^no Polaris reads this annotation; write polaris\.fairwinds\.com\/<check>-exempt/),
      ],
      [
        'error',
        at('polaris.fairwinds.com/exempt'),
        expect.stringMatching(/^exempts every check at once, without reasons/),
      ],
      [
        'error',
        at('polaris.fairwinds.com/runAsRoot-exempt'),
        expect.stringMatching(/^unknown policy check "runAsRoot"; expected one of deploymentMissingReplicas, /),
      ],
      [
        'error',
        at('polaris.fairwinds.com/notReadOnlyRootFilesystem-exempt'),
        'exemption of notReadOnlyRootFilesystem has no reason; add policy.metrics-platform.dev/notReadOnlyRootFilesystem-exempt-reason: "<why it does not apply>"',
      ],
      [
        'error',
        at('polaris.fairwinds.com/hostPortSet-exempt'),
        'got "yes"; expected "true" (Polaris ignores anything else)',
      ],
      [
        'error',
        at('policy.metrics-platform.dev/linuxHardening-exempt-reason'),
        'a reason without the exemption: Polaris still reports linuxHardening; add polaris.fairwinds.com/linuxHardening-exempt: "true" or remove the reason',
      ],
    ]);
  });

  it('parse image references', () => {
    expect(parseImage('registry:5000/a/b:1.2@sha256:00')).toEqual({ tag: '1.2', digest: 'sha256:00' });
    expect(parseImage('registry:5000/a/b')).toEqual({ tag: undefined, digest: undefined });
  });
});

describe('productionEnvironments', () => {
  it('names production environments from the environment file names, without reading the files', () => {
    const root = mkdtempSync(join(tmpdir(), 'policy-prod-'));
    try {
      mkdirSync(join(root, 'environments'));
      // not even YAML: the names are all that is needed (synth reports a broken file)
      for (const name of ['dev', 'prod', 'prod-eu', 'production'])
        writeFileSync(join(root, 'environments', `${name}.yaml`), ': [\n');
      expect(
        [...productionEnvironments({ repoRoot: root }, ['dist/dev', 'dist/prod-us', 'crossplane'])].sort(),
      ).toEqual(['prod', 'prod-eu', 'prod-us']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
