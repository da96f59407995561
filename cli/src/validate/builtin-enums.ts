/**
 * Enumerations the API server enforces in Go validation code but the OpenAPI definitions do not carry (the
 * pinned `_definitions.json` only says "One of Always, Never, IfNotPresent" in a description, or nothing). This
 * reviewed table adds them as `enum` so a typo fails offline as it would on apply. `field[]` means the items of
 * an array field. Values from the Kubernetes 1.34 API reference; a test checks every entry names a real field.
 */
export const BUILTIN_ENUMS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'io.k8s.api.core.v1.Container': {
    imagePullPolicy: ['Always', 'Never', 'IfNotPresent'],
    terminationMessagePolicy: ['File', 'FallbackToLogsOnError'],
  },
  'io.k8s.api.core.v1.ContainerPort': { protocol: ['TCP', 'UDP', 'SCTP'] },
  'io.k8s.api.core.v1.ServicePort': { protocol: ['TCP', 'UDP', 'SCTP'] },
  'io.k8s.api.networking.v1.NetworkPolicyPort': { protocol: ['TCP', 'UDP', 'SCTP'] },
  'io.k8s.api.networking.v1.NetworkPolicySpec': { 'policyTypes[]': ['Ingress', 'Egress'] },
  'io.k8s.api.core.v1.PodSpec': {
    restartPolicy: ['Always', 'OnFailure', 'Never'],
    dnsPolicy: ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'],
    preemptionPolicy: ['Never', 'PreemptLowerPriority'],
  },
  'io.k8s.api.core.v1.ServiceSpec': {
    type: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'],
    sessionAffinity: ['ClientIP', 'None'],
    externalTrafficPolicy: ['Cluster', 'Local'],
    internalTrafficPolicy: ['Cluster', 'Local'],
    ipFamilyPolicy: ['SingleStack', 'PreferDualStack', 'RequireDualStack'],
  },
  'io.k8s.api.apps.v1.DeploymentStrategy': { type: ['Recreate', 'RollingUpdate'] },
  'io.k8s.api.apps.v1.StatefulSetUpdateStrategy': { type: ['RollingUpdate', 'OnDelete'] },
  'io.k8s.api.apps.v1.DaemonSetUpdateStrategy': { type: ['RollingUpdate', 'OnDelete'] },
  'io.k8s.api.apps.v1.StatefulSetSpec': { podManagementPolicy: ['OrderedReady', 'Parallel'] },
  'io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy': {
    whenDeleted: ['Retain', 'Delete'],
    whenScaled: ['Retain', 'Delete'],
  },
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': {
    volumeMode: ['Filesystem', 'Block'],
    'accessModes[]': ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'],
  },
  'io.k8s.api.core.v1.SeccompProfile': { type: ['RuntimeDefault', 'Unconfined', 'Localhost'] },
  'io.k8s.api.core.v1.AppArmorProfile': { type: ['RuntimeDefault', 'Unconfined', 'Localhost'] },
  'io.k8s.api.core.v1.TopologySpreadConstraint': {
    whenUnsatisfiable: ['DoNotSchedule', 'ScheduleAnyway'],
    nodeAffinityPolicy: ['Honor', 'Ignore'],
    nodeTaintsPolicy: ['Honor', 'Ignore'],
  },
  'io.k8s.api.core.v1.Toleration': {
    operator: ['Exists', 'Equal'],
    effect: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
  },
  'io.k8s.api.core.v1.HTTPGetAction': { scheme: ['HTTP', 'HTTPS'] },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': {
    operator: ['In', 'NotIn', 'Exists', 'DoesNotExist'],
  },
  'io.k8s.api.storage.v1.StorageClass': {
    reclaimPolicy: ['Delete', 'Retain', 'Recycle'],
    volumeBindingMode: ['Immediate', 'WaitForFirstConsumer'],
  },
  'io.k8s.api.batch.v1.CronJobSpec': { concurrencyPolicy: ['Allow', 'Forbid', 'Replace'] },
  'io.k8s.api.autoscaling.v2.MetricSpec': { type: ['Object', 'Pods', 'Resource', 'ContainerResource', 'External'] },
  'io.k8s.api.autoscaling.v2.MetricTarget': { type: ['Utilization', 'Value', 'AverageValue'] },
  'io.k8s.api.policy.v1.PodDisruptionBudgetSpec': { unhealthyPodEvictionPolicy: ['IfHealthyBudget', 'AlwaysAllow'] },
};

type Schema = Record<string, unknown>;

/** Returns `defs` with the table's enums added (copies only the definitions it touches). */
export function withBuiltinEnums(defs: Schema): Schema {
  const out: Schema = { ...defs };
  for (const [defName, fields] of Object.entries(BUILTIN_ENUMS)) {
    const def = defs[defName] as Schema | undefined;
    const props = def?.properties as Record<string, Schema> | undefined;
    if (def === undefined || props === undefined) continue;
    const nextProps: Record<string, Schema> = { ...props };
    for (const [field, values] of Object.entries(fields)) {
      const items = field.endsWith('[]');
      const name = items ? field.slice(0, -2) : field;
      const prop = props[name];
      if (prop === undefined) continue;
      nextProps[name] = items
        ? { ...prop, items: { ...(prop.items as Schema), enum: [...values] } }
        : { ...prop, enum: [...values] };
    }
    out[defName] = { ...def, properties: nextProps };
  }
  return out;
}
