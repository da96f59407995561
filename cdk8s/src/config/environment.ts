import { z } from 'zod';
import { GRAFANA_NAMESPACE } from './constants';
import { quantityValue } from './quantity';
import {
  GITHUB_ENVIRONMENT_PATTERN,
  GITHUB_WORKFLOW_PATTERN,
  MAX_RELEASE_REFS,
  RELEASE_REF_PATTERN,
} from '../crossplane/xr/repository-fields';
import { MANAGED_ADDONS } from '../crossplane/xr/cluster-addons-fields';

/**
 * The one definition of an environment. Each `environments/<name>.yaml` is parsed with this schema;
 * adding an environment is adding one such file. The image pin (`app.image.tag` + `app.image.digest`)
 * is the only part CI rewrites (`platform bump`), so it stays a plain, stable YAML path.
 */

const dns1123Label = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS-1123 label: lower-case letters, digits and "-", 1-63 characters')
  .max(63);

/** Kubernetes quantity, e.g. `100m`, `128Mi`, `10Gi`. */
const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|M|G|T|P|E|Ei)?$/, 'a Kubernetes quantity such as 100m, 128Mi or 10Gi');

/** A label key: optional DNS-subdomain prefix and `/`, then a name of up to 63 characters. */
const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'a label key such as app.kubernetes.io/name',
  );
/** A label value: empty, or up to 63 characters starting and ending alphanumeric. */
const labelValue = z
  .string()
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, 'a label value: up to 63 of [A-Za-z0-9-_.]');

/**
 * Namespaces that belong to the cluster (`default`, `kube-*`) or to the platform (Argo CD's `argocd`, Crossplane's
 * `crossplane-system`): an environment that claimed one would label it Pod Security `restricted` and give it a
 * default-deny NetworkPolicy, breaking what runs there.
 */
export const RESERVED_NAMESPACES: readonly string[] = ['default', 'argocd', 'crossplane-system'];
export const RESERVED_NAMESPACE_PREFIX = 'kube-';

export function isReservedNamespace(ns: string): boolean {
  return RESERVED_NAMESPACES.includes(ns) || ns.startsWith(RESERVED_NAMESPACE_PREFIX);
}
const ADDON_VERSION = 'an EKS add-on version such as v1.19.2-eksbuild.1';
const addonVersion = z
  .string({ error: ADDON_VERSION })
  .regex(/^v[0-9]+\.[0-9]+\.[0-9]+-eksbuild\.[0-9]+$/, ADDON_VERSION);

/** Refs an OIDC trust policy allows: exact refs or tag prefixes, as the XRDs' CEL rule (RELEASE_REF_PATTERN). */
const releaseRefs = z
  .array(
    z
      .string()
      .regex(
        new RegExp(RELEASE_REF_PATTERN),
        'an exact ref (refs/heads/<branch>, refs/tags/<tag>) or a tag prefix refs/tags/<prefix>* (IAM wildcards also match "/", so branch patterns are refused)',
      ),
  )
  .min(1)
  .max(MAX_RELEASE_REFS);

export const imageTagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const imageDigestPattern = /^sha256:[a-f0-9]{64}$/;

export const imagePinSchema = z
  .object({
    /** Registry and repository, without tag or digest. */
    repository: z
      .string()
      .regex(
        /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
        'an image repository such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/metrics-app',
      ),
    /** Human-readable tag; never `latest`. */
    tag: z
      .string({ error: 'an OCI tag such as 1.4.2' })
      .regex(imageTagPattern, 'an OCI tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}')
      .refine((t) => t !== 'latest', 'a release tag, not "latest"'),
    /** The content address actually deployed. */
    digest: z
      .string({ error: 'sha256: followed by 64 lower-case hex digits' })
      .regex(imageDigestPattern, 'sha256: followed by 64 lower-case hex digits'),
  })
  .strict();

function isHttpsUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' && u.hostname !== '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

const resourcesSchema = z
  .object({
    requests: z.object({ cpu: quantity, memory: quantity }).strict(),
    limits: z.object({ cpu: quantity.optional(), memory: quantity }).strict(),
  })
  .strict();

export { GRAFANA_NAMESPACE };

export const environmentSchema = z
  .object({
    /** Environment name; also the branch `env/<name>` and the directory `dist/<name>/`. */
    name: dns1123Label,
    aws: z
      .object({
        accountId: z.string().regex(/^[0-9]{12}$/, 'a 12-digit AWS account id'),
        region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/, 'an AWS region such as eu-west-1'),
      })
      .strict(),
    cluster: z
      .object({
        /** The existing EKS cluster this environment runs on (and whose add-ons Crossplane manages). */
        name: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'an EKS cluster name'),
        /** Argo CD destination server for this environment's cluster. */
        server: z
          .string()
          .refine(
            isHttpsUrl,
            "an https:// URL of the cluster's API server, e.g. https://ABC.gr7.eu-west-1.eks.amazonaws.com",
          ),
      })
      .strict(),
    /**
     * Namespace of the app (Pod Security `restricted`). Graphite runs beside it in `<namespace>-graphite`, which must
     * also be a DNS-1123 label: hence at most 54 characters.
     */
    namespace: dns1123Label
      .max(54, 'at most 54 characters (Graphite runs in "<namespace>-graphite")')
      .refine(
        (ns) => !isReservedNamespace(ns),
        `a namespace of the environment's own; ${RESERVED_NAMESPACES.join(', ')} and ${RESERVED_NAMESPACE_PREFIX}* belong to the cluster or the platform`,
      ),
    app: z
      .object({
        image: imagePinSchema,
        replicas: z.number().int().min(1).max(100),
        resources: resourcesSchema,
        /** Sends every `intervalMs`; the default keeps the original 3 s cadence. */
        intervalMs: z.number().int().min(10).max(3_600_000).default(3000),
        metricPrefix: z
          .string()
          .regex(/^([A-Za-z0-9_-]+\.)*$/, 'empty, or dot-separated segments ending with "."')
          .default(''),
        /** hot-shots sample rate for counters and timers (METRICS_SAMPLE_RATE); 1 sends every sample. */
        sampleRate: z.number().gt(0).max(1).default(1),
        /** Bytes buffered before a UDP send (METRICS_BUFFER_SIZE); 0 sends each metric alone; 1432 fits one Ethernet frame. */
        bufferSize: z.number().int().min(0).max(65_507).default(1432),
        /** Longest time a buffered metric waits (METRICS_FLUSH_INTERVAL_MS); at most statsd's own 10 s flush. */
        flushIntervalMs: z.number().int().min(1).max(10_000).default(1000),
        /** pino level (LOG_LEVEL). */
        logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
        /** Time the app takes to drain on SIGTERM (SHUTDOWN_TIMEOUT_MS); the pod's grace period is 5 s more. */
        shutdownTimeoutMs: z.number().int().min(100).max(600_000).default(5000),
        autoscaling: z
          .object({
            minReplicas: z.number().int().min(1),
            maxReplicas: z.number().int().min(1),
            targetCpuUtilization: z.number().int().min(1).max(100),
          })
          .strict()
          .refine((a) => a.maxReplicas >= a.minReplicas, 'maxReplicas >= minReplicas')
          .optional(),
      })
      .strict(),
    graphite: z
      .object({
        /** Same image as docker-compose.yml's graphite service. */
        image: z
          .string()
          .regex(/^[^:@\s]+:[A-Za-z0-9_][A-Za-z0-9_.-]*(@sha256:[a-f0-9]{64})?$/, 'repository:tag[@sha256:digest]'),
        /** Whisper data volume per Graphite pod; EBS volumes are sized in whole GiB. */
        storageSize: z.string().regex(/^[1-9][0-9]{0,4}Gi$/, 'a whole number of GiB such as 20Gi'),
        storageClassName: dns1123Label.default('gp3'),
        /**
         * Render the gp3 StorageClass too. Set it where this environment owns its cluster's storage (the EBS CSI
         * driver is one of its ClusterAddons); leave it false on a shared cluster whose owner provides the class.
         */
        createStorageClass: z.boolean().default(false),
        resources: resourcesSchema,
        /**
         * Who may read the web UI (80/tcp): pods with `podLabels` in `namespace`, one namespace, never all (pod
         * labels are self-asserted: any namespace, prod's included, could otherwise label a pod `grafana`).
         * Grafana is the only reader of the render API; people use Grafana or `kubectl port-forward`.
         */
        webClients: z
          .object({
            namespace: dns1123Label.default(GRAFANA_NAMESPACE),
            podLabels: z
              .record(labelKey, labelValue)
              .refine((l) => Object.keys(l).length > 0, 'at least one label (an empty selector would admit every pod)'),
          })
          .strict()
          .default({ namespace: GRAFANA_NAMESPACE, podLabels: { 'app.kubernetes.io/name': 'grafana' } }),
      })
      .strict(),
    /** ECR repositories this environment owns (the Repository XR). */
    ecr: z
      .object({
        repositories: z
          .array(
            z
              .object({
                name: z
                  .string()
                  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'an ECR repository name'),
                /** GitHub repository allowed to push, `owner/name`. */
                githubRepository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'owner/name'),
                /** GitHub environment the pushing job declares; its name is part of the OIDC `sub` the role trusts. */
                githubEnvironment: z
                  .string()
                  .max(255)
                  .regex(
                    new RegExp(GITHUB_ENVIRONMENT_PATTERN),
                    'a GitHub environment name (letters, digits, ".", "_", "-")',
                  ),
                /** Workflow file whose jobs may push, e.g. `.github/workflows/release.yml`. */
                workflow: z
                  .string()
                  .max(255)
                  .regex(new RegExp(GITHUB_WORKFLOW_PATTERN), '.github/workflows/<file>.yml'),
                /** Refs the workflow may run from: exact refs, or a tag prefix `refs/tags/<prefix>*`. */
                releaseRefs,
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ repositories: [] }),
    /**
     * Where this environment's images come from: `platform promote --from <from>` copies what `from` runs here. ECR
     * replicates every platform repository from the registry CI pushes to (the first environment of the chain,
     * which promotes from nobody) into this environment's registry, and the promote workflow's job checks, with a
     * read-only role, that the digest arrived before it promotes (docs/gitops.md).
     */
    promotion: z
      .object({
        /** The environment promoted from (its branch env/<from>). */
        from: dns1123Label,
        /** GitHub repository whose promote workflow may use the read-only check role, `owner/name`. */
        githubRepository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'owner/name'),
        /** GitHub environment the promoting job declares; part of the OIDC `sub` the check role trusts. */
        githubEnvironment: z
          .string()
          .max(255)
          .regex(new RegExp(GITHUB_ENVIRONMENT_PATTERN), 'a GitHub environment name (letters, digits, ".", "_", "-")'),
        /** Workflow file whose jobs may check, e.g. `.github/workflows/promote.yml`. */
        workflow: z.string().max(255).regex(new RegExp(GITHUB_WORKFLOW_PATTERN), '.github/workflows/<file>.yml'),
        /** Refs that workflow may run from (exact refs, or a tag prefix `refs/tags/<prefix>*`). */
        refs: releaseRefs,
      })
      .strict()
      .optional(),
    /**
     * EKS managed add-on versions for the ClusterAddons XR (e.g. `v1.19.2-eksbuild.1`): every add-on it manages,
     * no other (checked here so a typo is a config error naming the field, not a failed render).
     */
    addons: z.strictObject(Object.fromEntries(Object.values(MANAGED_ADDONS).map((name) => [name, addonVersion])), {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `only the add-ons ClusterAddons manages: ${Object.values(MANAGED_ADDONS).join(', ')}`
          : undefined,
    }),
    features: z
      .object({
        /** Spread app pods across zones and nodes (prod). */
        topologySpread: z.boolean().default(false),
        /** Crossplane resources orphan instead of delete (prod): a bad sync never drops a registry. */
        orphanCloudResources: z.boolean().default(false),
        /** Argo CD syncs automatically (prune + self-heal). */
        autoSync: z.boolean().default(true),
      })
      .strict()
      .default({ topologySpread: false, orphanCloudResources: false, autoSync: true }),
  })
  .strict()
  // With an HPA the Deployment leaves its replica count to the autoscaler, which starts from minReplicas: one
  // number, not two that can disagree.
  .refine((env) => env.app.autoscaling === undefined || env.app.replicas === env.app.autoscaling.minReplicas, {
    path: ['app', 'replicas'],
    message: 'app.autoscaling.minReplicas when app.autoscaling is set (the autoscaler owns the replica count)',
  })
  // The API server rejects a pod template whose request exceeds its limit; say so here, not at sync time.
  .superRefine((env, ctx) => {
    for (const part of ['app', 'graphite'] as const) {
      const { requests, limits } = env[part].resources;
      for (const resource of ['cpu', 'memory'] as const) {
        const request = requests[resource];
        const limit = limits[resource];
        if (limit === undefined) continue;
        const r = quantityValue(request);
        const l = quantityValue(limit);
        if (r !== undefined && l !== undefined && r > l) {
          ctx.addIssue({
            code: 'custom',
            path: [part, 'resources', 'requests', resource],
            message: `at most ${part}.resources.limits.${resource} (${JSON.stringify(limit)}): the API server rejects a request above its limit`,
          });
        }
      }
    }
  });

export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type ImagePin = z.output<typeof imagePinSchema>;
