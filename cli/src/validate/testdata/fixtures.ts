/**
 * Objects for the validator's tests: a small environment that passes every check (schema, cross-object and
 * policy) with no warning, so a test can break exactly one thing and expect exactly one finding.
 */

export type Fixture = Record<string, unknown>;

export const DIGEST = 'sha256:' + 'ab'.repeat(32);

export function compliantEnvironment(ns = 'demo'): Fixture[] {
  const labels = { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': `app-${ns}` };
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    },
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: `${ns}-standard` },
      value: 1000,
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'app', namespace: ns },
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-env', namespace: ns },
      data: { LOG_LEVEL: 'info' },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app', namespace: ns, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'app',
            automountServiceAccountToken: false,
            priorityClassName: `${ns}-standard`,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: labels },
              },
            ],
            containers: [
              {
                name: 'app',
                image: `registry.example.org/app:1.0.0@${DIGEST}`,
                imagePullPolicy: 'Always',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                envFrom: [{ configMapRef: { name: 'app-env' } }],
                env: [{ name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'app-env', key: 'LOG_LEVEL' } } }],
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
                readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'app', namespace: ns },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'app', namespace: ns },
      spec: { minAvailable: 1, selector: { matchLabels: labels } },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'app', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'app-dns', namespace: ns },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
            ports: [{ protocol: 'UDP', port: 53 }],
          },
        ],
      },
    },
  ];
}

/** A v2 XRD like the repo's: a namespaced `Bucket` with a required, CEL-checked field. */
export function bucketXrd(): Fixture {
  return {
    apiVersion: 'apiextensions.crossplane.io/v2',
    kind: 'CompositeResourceDefinition',
    metadata: { name: 'buckets.platform.example.org' },
    spec: {
      group: 'platform.example.org',
      names: { kind: 'Bucket', plural: 'buckets' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          referenceable: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['region'],
                  properties: {
                    region: { type: 'string', enum: ['eu-west-1', 'us-east-1'] },
                    retentionDays: { type: 'integer', minimum: 1, default: 30 },
                    name: {
                      type: 'string',
                      'x-kubernetes-validations': [
                        { rule: 'self.size() <= 20', message: 'name is at most 20 characters' },
                      ],
                    },
                  },
                },
                status: { type: 'object', properties: { url: { type: 'string' } } },
              },
            },
          },
        },
      ],
    },
  };
}

export function bucket(spec: Record<string, unknown>, ns = 'demo'): Fixture {
  return { apiVersion: 'platform.example.org/v1alpha1', kind: 'Bucket', metadata: { name: 'b', namespace: ns }, spec };
}

/** Deep copy, then `edit` it: tests change one field of a compliant object. */
export function edited<T>(value: T, edit: (copy: T) => void): T {
  const copy = structuredClone(value);
  edit(copy);
  return copy;
}
