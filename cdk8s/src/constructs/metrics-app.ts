import { createHash } from 'node:crypto';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { IntOrString, KubePodDisruptionBudget } from 'cdk8s-plus-34/lib/imports/k8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { labelValue, selectorLabels, standardLabels } from './labels';
import { DEFAULT_PRIORITY_REASON, exemptionAnnotations, type PolicyExemptions } from './policy-exemptions';
import { removeAddressLabel, setContainerResources } from './resources';
import { topologyOf } from './topology';

/** The UID/GID the app image runs as (the Dockerfile's `USER 10001:10001`). */
export const APP_UID = 10001;
/** Extra seconds the kubelet waits after the app's own drain timeout before it sends SIGKILL. */
const GRACE_MARGIN_SECONDS = 5;
/** The statsd wire protocol; Graphite's statsd listens on UDP only. */
const METRICS_PROTOCOL = 'udp';

export interface MetricsAppProps {
  /** The environment to render; everything environment-specific comes from here. */
  readonly env: EnvironmentConfig;
}

/** The reference an environment's pods run: tag for humans, digest for the runtime. */
export function pinnedImage(env: EnvironmentConfig): string {
  const { repository, tag, digest } = env.app.image;
  return `${repository}:${tag}@${digest}`;
}

/**
 * The app's environment variables, exactly the set the app reads (app/src/config): nothing more, so a typo here
 * cannot silently configure nothing.
 */
export function appEnvironment(env: EnvironmentConfig): Record<string, string> {
  const t = topologyOf(env);
  return {
    HTTP_PORT: String(t.appHttpPort),
    LOG_LEVEL: env.app.logLevel,
    METRICS_BACKEND_HOST: t.statsdHost,
    METRICS_BACKEND_PORT: String(t.statsdPort),
    METRICS_BUFFER_SIZE: String(env.app.bufferSize),
    METRICS_FLUSH_INTERVAL_MS: String(env.app.flushIntervalMs),
    METRICS_INTERVAL_MS: String(env.app.intervalMs),
    METRICS_PREFIX: env.app.metricPrefix,
    METRICS_PROTOCOL,
    METRICS_SAMPLE_RATE: String(env.app.sampleRate),
    SHUTDOWN_TIMEOUT_MS: String(env.app.shutdownTimeoutMs),
  };
}

/**
 * The metrics app: ServiceAccount (no token), ConfigMap, Deployment hardened for Pod Security `restricted`,
 * Service, PodDisruptionBudget, and a HorizontalPodAutoscaler when the environment sets `app.autoscaling`.
 */
export class MetricsApp extends Construct {
  readonly deployment: kplus.Deployment;
  readonly service: kplus.Service;
  readonly configMap: kplus.ConfigMap;
  readonly serviceAccount: kplus.ServiceAccount;
  readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** Labels that select the app's pods (for Services and NetworkPolicies). */
  readonly podSelectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: MetricsAppProps) {
    super(scope, id);
    const { env } = props;
    const t = topologyOf(env);
    const ids = { name: t.appName, instance: `${t.appName}-${env.name}` };
    const labels = standardLabels({ ...ids, version: labelValue(env.app.image.tag), component: 'server' });
    this.podSelectorLabels = selectorLabels(ids);
    const metadata = (name: string) => ({ name, namespace: t.appNamespace, labels });

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(t.appName),
      automountToken: false,
    });

    const data = appEnvironment(env);
    this.configMap = new kplus.ConfigMap(this, 'ConfigMap', { metadata: metadata(t.appConfigMapName), data });

    const autoscaled = env.app.autoscaling !== undefined;
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { ...metadata(t.appName), annotations: exemptionAnnotations(appPolicyExemptions(env)) },
      // With an HPA the replica count is the autoscaler's: leaving it out stops every sync from resetting it.
      replicas: autoscaled ? undefined : env.app.replicas,
      select: false,
      podMetadata: {
        labels,
        // Pods roll when their environment changes (envFrom alone does not restart them).
        annotations: { 'metrics-platform.io/config-hash': configHash(data) },
      },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: APP_UID, group: APP_UID, fsGroup: APP_UID },
      terminationGracePeriod: Duration.seconds(Math.ceil(env.app.shutdownTimeoutMs / 1000) + GRACE_MARGIN_SECONDS),
      // Surge one pod and never go below the desired count during a rollout.
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      containers: [
        {
          name: 'app',
          image: pinnedImage(env),
          // The digest pins the content, so a cached image is the right image.
          // Always, as Polaris wants: with a digest pin it costs one manifest check per start, and the node proves it may
          // still pull the image instead of reusing a copy another pod's credentials fetched.
          imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
          ports: [{ name: 'http', number: t.appHttpPort, protocol: kplus.Protocol.TCP }],
          envFrom: [kplus.Env.fromConfigMap(this.configMap)],
          startup: kplus.Probe.fromHttpGet('/healthz', {
            port: t.appHttpPort,
            periodSeconds: Duration.seconds(2),
            failureThreshold: 30,
          }),
          liveness: kplus.Probe.fromHttpGet('/healthz', {
            port: t.appHttpPort,
            periodSeconds: Duration.seconds(10),
            timeoutSeconds: Duration.seconds(2),
            failureThreshold: 3,
          }),
          readiness: kplus.Probe.fromHttpGet('/readyz', {
            port: t.appHttpPort,
            periodSeconds: Duration.seconds(5),
            timeoutSeconds: Duration.seconds(2),
            failureThreshold: 2,
          }),
          securityContext: {
            ensureNonRoot: true,
            user: APP_UID,
            group: APP_UID,
            privileged: false,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: [kplus.Capability.ALL] },
            seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          },
          // Node writes nothing but may need a scratch dir; the root filesystem stays read-only.
          volumeMounts: [
            {
              path: '/tmp',
              volume: kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp', { sizeLimit: Size.mebibytes(16) }),
            },
          ],
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.podSelectorLabels }));
    removeAddressLabel(this.deployment);
    setContainerResources(this.deployment, 0, env.app.resources);
    // seccomp at pod level too, so every container (including any added later) gets RuntimeDefault.
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    );
    if (env.features.topologySpread) {
      ApiObject.of(this.deployment).addJsonPatch(
        JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
          // Losing a zone must not take the service down: hard constraint across zones...
          spreadOver('topology.kubernetes.io/zone', 'DoNotSchedule', this.podSelectorLabels),
          // ...and a best effort across nodes, so a short node pool never leaves pods Pending.
          spreadOver('kubernetes.io/hostname', 'ScheduleAnyway', this.podSelectorLabels),
        ]),
      );
    }

    this.service = new kplus.Service(this, 'Service', {
      metadata: metadata(t.appName),
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port: t.appHttpPort, targetPort: t.appHttpPort, protocol: kplus.Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(this.podSelectorLabels)) this.service.selectLabel(key, value);

    new KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: metadata(t.appName),
      spec: {
        // maxUnavailable (not minAvailable) so a single-replica dev environment can still drain its nodes.
        maxUnavailable: IntOrString.fromNumber(1),
        selector: { matchLabels: this.podSelectorLabels },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });

    if (env.app.autoscaling !== undefined) {
      this.autoscaler = new kplus.HorizontalPodAutoscaler(this, 'HorizontalPodAutoscaler', {
        metadata: metadata(t.appName),
        target: this.deployment,
        minReplicas: env.app.autoscaling.minReplicas,
        maxReplicas: env.app.autoscaling.maxReplicas,
        metrics: [
          kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(env.app.autoscaling.targetCpuUtilization)),
        ],
      });
    }
  }
}

/**
 * The policy checks that do not apply to this environment's app, each with its reason. Production gets none of the
 * environment-driven ones: there, a missing spread or a single replica is an error.
 */
export function appPolicyExemptions(env: EnvironmentConfig): PolicyExemptions {
  const exemptions: Record<string, string> = { priorityClassNotSet: DEFAULT_PRIORITY_REASON };
  if (!env.features.topologySpread) {
    exemptions.topologySpreadConstraint = `features.topologySpread is false in ${env.name}: only production spreads its pods`;
  }
  if (env.app.autoscaling !== undefined) {
    exemptions.deploymentMissingReplicas = `the HorizontalPodAutoscaler owns the replica count (minReplicas ${env.app.autoscaling.minReplicas}): spec.replicas is left out so that a sync never resets what the autoscaler set`;
  } else if (env.app.replicas < 2) {
    exemptions.deploymentMissingReplicas = `${env.name} runs app.replicas=${env.app.replicas} to save cost: staging and production run at least 2`;
  }
  return exemptions;
}

function spreadOver(
  topologyKey: string,
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway',
  matchLabels: Record<string, string>,
) {
  return {
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable,
    labelSelector: { matchLabels },
  };
}

function configHash(data: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
