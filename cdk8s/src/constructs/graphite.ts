import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { labelValue, selectorLabels, standardLabels } from './labels';
import { DEFAULT_PRIORITY_REASON, exemptionAnnotations } from './policy-exemptions';
import { removeAddressLabel, setContainerResources } from './resources';
import { topologyOf } from './topology';

/** Where graphite-statsd keeps whisper files (and its sqlite database for graphite-web). */
const STORAGE_PATH = '/opt/graphite/storage';
const STORAGE_CLAIM = 'graphite-storage';
/** nginx in front of graphite-web. */
export const GRAPHITE_WEB_PORT = 80;
/** statsd's management interface (TCP), answers `health`. */
const STATSD_ADMIN_PORT = 8126;

/**
 * Capabilities graphite-statsd's root processes need under `baseline`: runit and nginx start as root and drop to
 * their own users (SETUID, SETGID), chown their log and data dirs (CHOWN, FOWNER, DAC_OVERRIDE), nginx binds port 80
 * (NET_BIND_SERVICE) and runit signals its children (KILL). Everything else (NET_RAW, MKNOD, SYS_CHROOT, ...) is
 * dropped.
 */
const GRAPHITE_CAPABILITIES = [
  kplus.Capability.CHOWN,
  kplus.Capability.DAC_OVERRIDE,
  kplus.Capability.FOWNER,
  kplus.Capability.KILL,
  kplus.Capability.NET_BIND_SERVICE,
  kplus.Capability.SETGID,
  kplus.Capability.SETUID,
];

/** The `app.kubernetes.io/version` of everything Graphite: its image tag. */
export function graphiteVersion(env: EnvironmentConfig): string {
  const withoutDigest = env.graphite.image.split('@')[0]!;
  return labelValue(withoutDigest.slice(withoutDigest.lastIndexOf(':') + 1));
}

/**
 * Reviewed exemptions from the workload policy checks (`platform validate`, docs/validation.md), each with its
 * reason: the checks that the upstream image or a single-writer whisper store cannot satisfy.
 */
export const GRAPHITE_POLICY_EXEMPTIONS: Readonly<Record<string, string>> = {
  runAsRootAllowed:
    'graphite-statsd starts runit and nginx as root (Pod Security baseline namespace, restricted audit/warn, see docs/cdk8s.md)',
  notReadOnlyRootFilesystem: 'the image writes its configuration, logs and nginx state across its root filesystem',
  insecureCapabilities:
    'drops ALL and adds back only the seven capabilities its root processes use (CHOWN DAC_OVERRIDE FOWNER KILL NET_BIND_SERVICE SETGID SETUID)',
  deploymentMissingReplicas: 'whisper files are per pod: a second replica would split every series between two stores',
  missingPodDisruptionBudget:
    'one replica: a PDB would either block every node drain (minAvailable 1) or allow everything (maxUnavailable 1)',
  topologySpreadConstraint: 'one replica: nothing to spread',
  priorityClassNotSet: DEFAULT_PRIORITY_REASON,
};

export interface GraphiteProps {
  /** The environment to render (`graphite.*` settings). */
  readonly env: EnvironmentConfig;
}

/**
 * Graphite + statsd as one StatefulSet of the same `graphiteapp/graphite-statsd` image docker-compose runs, with a
 * gp3 volume per pod, a Service for statsd (8125/udp) and one for the web UI (80/tcp).
 */
export class Graphite extends Construct {
  readonly statefulSet: kplus.StatefulSet;
  readonly statsdService: kplus.Service;
  readonly webService: kplus.Service;
  /** Labels that select Graphite's pods (for Services and NetworkPolicies). */
  readonly podSelectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: GraphiteProps) {
    super(scope, id);
    const { env } = props;
    const t = topologyOf(env);
    const ids = { name: t.graphiteName, instance: `${t.graphiteName}-${env.name}` };
    const labels = standardLabels({ ...ids, version: graphiteVersion(env), component: 'metrics-backend' });
    this.podSelectorLabels = selectorLabels(ids);
    const metadata = (name: string) => ({ name, namespace: t.graphiteNamespace, labels });

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(t.graphiteName),
      automountToken: false,
    });

    const headless = new kplus.Service(this, 'HeadlessService', {
      metadata: metadata(t.graphiteHeadlessServiceName),
      clusterIP: 'None',
      ports: [{ name: 'statsd', port: t.statsdPort, targetPort: t.statsdPort, protocol: kplus.Protocol.UDP }],
    });

    this.statefulSet = new kplus.StatefulSet(this, 'StatefulSet', {
      metadata: {
        ...metadata(t.graphiteName),
        annotations: exemptionAnnotations(GRAPHITE_POLICY_EXEMPTIONS),
      },
      // whisper files are per pod: more replicas would split the series between them.
      replicas: 1,
      service: headless,
      select: false,
      podMetadata: { labels },
      serviceAccount,
      automountServiceAccountToken: false,
      // EXCEPTION (Pod Security baseline, see docs/cdk8s.md): the image runs runit and nginx as root and writes
      // all over its root filesystem, so it cannot run as non-root or read-only. Everything else stays locked down.
      securityContext: { ensureNonRoot: false },
      terminationGracePeriod: Duration.seconds(30),
      volumeClaimTemplates: [
        {
          name: STORAGE_CLAIM,
          storage: Size.gibibytes(Number.parseInt(env.graphite.storageSize, 10)),
          storageClassName: env.graphite.storageClassName,
          accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
        },
      ],
      containers: [
        {
          name: 'graphite-statsd',
          image: env.graphite.image,
          // Always, pinned by digest or not (Polaris's pullPolicyNotAlways): a tag can move, and a digest costs
          // one manifest check per start.
          imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
          ports: [
            { name: 'statsd', number: t.statsdPort, protocol: kplus.Protocol.UDP },
            { name: 'statsd-admin', number: STATSD_ADMIN_PORT, protocol: kplus.Protocol.TCP },
            { name: 'http', number: GRAPHITE_WEB_PORT, protocol: kplus.Protocol.TCP },
          ],
          // First start creates graphite-web's database: allow it five minutes before liveness applies.
          startup: kplus.Probe.fromTcpSocket({
            port: GRAPHITE_WEB_PORT,
            periodSeconds: Duration.seconds(10),
            failureThreshold: 30,
          }),
          liveness: kplus.Probe.fromTcpSocket({
            port: STATSD_ADMIN_PORT,
            periodSeconds: Duration.seconds(20),
            timeoutSeconds: Duration.seconds(3),
            failureThreshold: 3,
          }),
          readiness: kplus.Probe.fromHttpGet('/', {
            port: GRAPHITE_WEB_PORT,
            periodSeconds: Duration.seconds(10),
            timeoutSeconds: Duration.seconds(3),
            failureThreshold: 3,
          }),
          securityContext: {
            ensureNonRoot: false,
            privileged: false,
            readOnlyRootFilesystem: false,
            allowPrivilegeEscalation: false,
            capabilities: { drop: [kplus.Capability.ALL], add: GRAPHITE_CAPABILITIES },
            seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          },
          volumeMounts: [{ path: STORAGE_PATH, volume: kplus.Volume.fromName(this, 'StorageVolume', STORAGE_CLAIM) }],
        },
      ],
    });
    this.statefulSet.select(kplus.LabelSelector.of({ labels: this.podSelectorLabels }));
    // The StatefulSet makes its service select the cdk8s address label; select by the standard labels instead.
    for (const [key, value] of Object.entries(this.podSelectorLabels)) headless.selectLabel(key, value);
    ApiObject.of(headless).addJsonPatch(JsonPatch.remove('/spec/selector/cdk8s.io~1metadata.addr'));
    removeAddressLabel(this.statefulSet);
    setContainerResources(this.statefulSet, 0, env.graphite.resources);
    const sts = ApiObject.of(this.statefulSet);
    sts.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
    // Labels on the claims too, so the volumes are attributable.
    sts.addJsonPatch(JsonPatch.add('/spec/volumeClaimTemplates/0/metadata/labels', labels));
    // Keep the data if the StatefulSet is deleted or scaled down; removing a claim is a deliberate act.
    sts.addJsonPatch(
      JsonPatch.add('/spec/persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' }),
    );

    this.statsdService = this.serviceFor('StatsdService', t.statsdServiceName, metadata, {
      name: 'statsd',
      port: t.statsdPort,
      protocol: kplus.Protocol.UDP,
    });
    this.webService = this.serviceFor('WebService', t.graphiteWebServiceName, metadata, {
      name: 'http',
      port: GRAPHITE_WEB_PORT,
      protocol: kplus.Protocol.TCP,
    });
  }

  private serviceFor(
    id: string,
    name: string,
    metadata: (name: string) => { name: string; namespace: string; labels: Record<string, string> },
    port: { name: string; port: number; protocol: kplus.Protocol },
  ): kplus.Service {
    const service = new kplus.Service(this, id, {
      metadata: metadata(name),
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ ...port, targetPort: port.port }],
    });
    for (const [key, value] of Object.entries(this.podSelectorLabels)) service.selectLabel(key, value);
    return service;
  }
}
