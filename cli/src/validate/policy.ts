import { environmentNames } from '../gitops/environments';
import type { SourcedObject } from './load-files';
import { annotationsOf, asArray, asObj, asString, kindOf, nameOf, namespaceOf, type Obj } from './objects';
import {
  exemptReasonAnnotation,
  isPolicyCheckId,
  LEGACY_EXEMPT_ANNOTATION,
  POLARIS_ANNOTATION_PREFIX,
  polarisExemptAnnotation,
  POLICY_CHECKS,
  REASON_ANNOTATION_PREFIX,
  type PolicyCheckId,
} from './policy-checks';
import type { Problem } from './problem';
import { isEmptySelector, matchesSelector } from './selectors';
import { containersOf, podWorkloadOf, type ContainerRef, type PodWorkload } from './workloads';

/** A reviewed exemption kept in code (prefer the annotation on the object, which travels with it). */
export interface PolicyExemption {
  readonly check: PolicyCheckId;
  readonly kind: string;
  readonly name: string;
  /** @default any namespace */
  readonly namespace?: string;
  /** Apply unit such as `dist/prod`. @default every unit */
  readonly group?: string;
  /** Why the check does not apply; reviewed like code. */
  readonly reason: string;
}

/**
 * Exemptions reviewed in code. Empty: every exemption in this repository is an annotation on the object it
 * concerns, so it is visible in the rendered manifest and in review of the chart that sets it.
 */
export const REVIEWED_EXEMPTIONS: readonly PolicyExemption[] = [];

export interface PolicyOptions {
  /** @default environments named `prod` or `prod-*` among `environments/*.yaml` and `dist/` directories */
  readonly prodEnvironments?: readonly string[];
  readonly repoRoot?: string;
  /** @default REVIEWED_EXEMPTIONS */
  readonly exemptions?: readonly PolicyExemption[];
}

const PROD_NAME = /^prod(-|$)/;

/** Production environments: explicit, else the environment configs (and dist dirs) named prod / prod-*. */
export function productionEnvironments(opts: PolicyOptions, groups: readonly string[]): Set<string> {
  if (opts.prodEnvironments !== undefined) return new Set(opts.prodEnvironments);
  const names = new Set(groups.filter((g) => g.startsWith('dist/')).map((g) => g.slice('dist/'.length)));
  // an environment is named by its file (environments/<name>.yaml): no need to parse them (synth does)
  if (opts.repoRoot !== undefined) for (const env of environmentNames(opts.repoRoot)) names.add(env);
  return new Set([...names].filter((n) => PROD_NAME.test(n)));
}

const annotationPath = (key: string): string => `metadata.annotations[${JSON.stringify(key)}]`;

interface Exempt {
  readonly checks: Map<PolicyCheckId, string>;
  /** Checks exempted by the object's own annotations (reported when they no longer fire). */
  readonly annotated: Set<PolicyCheckId>;
  readonly problems: Problem[];
}

function base(s: SourcedObject): Omit<Problem, 'path' | 'message' | 'severity'> {
  return { file: s.file, kind: kindOf(s.object), namespace: namespaceOf(s.object) ?? '-', name: nameOf(s.object) };
}

const POLARIS_EXEMPT = /^polaris\.fairwinds\.com\/(.+)-exempt$/;
const EXEMPT_REASON = /^policy\.metrics-platform\.dev\/(.+)-exempt-reason$/;

/**
 * Exemptions as Polaris reads them (`polaris.fairwinds.com/<check>-exempt: "true"`), each with its reason
 * (`policy.metrics-platform.dev/<check>-exempt-reason`). Unknown checks, a missing reason, a reason without the
 * Polaris annotation, Polaris's blanket `exempt` and the old home-made annotation are errors.
 */
function exemptionsOf(s: SourcedObject, reviewed: readonly PolicyExemption[]): Exempt {
  const checks = new Map<PolicyCheckId, string>();
  const annotated = new Set<PolicyCheckId>();
  const problems: Problem[] = [];
  const error = (key: string, message: string): void => {
    problems.push({ ...base(s), path: annotationPath(key), severity: 'error', message });
  };
  const unknown = (check: string): string =>
    `unknown policy check ${JSON.stringify(check)}; expected one of ${Object.keys(POLICY_CHECKS).join(', ')}`;
  // Every annotation this reads starts with one of the two prefixes (most objects carry none of them): the others
  // are not even copied.
  const relevant = (key: string): boolean =>
    key.startsWith(POLARIS_ANNOTATION_PREFIX) || key.startsWith(REASON_ANNOTATION_PREFIX);
  const raw = asObj(asObj(s.object.metadata)?.annotations);
  const annotations = raw !== undefined && Object.keys(raw).some(relevant) ? annotationsOf(s.object) : {};
  for (const [key, value] of Object.entries(annotations)) {
    if (!relevant(key)) continue;
    if (key === LEGACY_EXEMPT_ANNOTATION) {
      error(
        key,
        'no Polaris reads this annotation; write polaris.fairwinds.com/<check>-exempt: "true" and the reason in policy.metrics-platform.dev/<check>-exempt-reason',
      );
      continue;
    }
    if (key === `${POLARIS_ANNOTATION_PREFIX}exempt`) {
      error(
        key,
        'exempts every check at once, without reasons; exempt checks one by one with polaris.fairwinds.com/<check>-exempt',
      );
      continue;
    }
    const polaris = POLARIS_EXEMPT.exec(key);
    if (polaris) {
      const check = polaris[1]!;
      const reason = (annotations[exemptReasonAnnotation(check)] ?? '').trim();
      if (!isPolicyCheckId(check)) error(key, unknown(check));
      else if (value !== 'true')
        error(key, `got ${JSON.stringify(value)}; expected "true" (Polaris ignores anything else)`);
      else if (reason === '')
        error(
          key,
          `exemption of ${check} has no reason; add ${exemptReasonAnnotation(check)}: "<why it does not apply>"`,
        );
      else {
        checks.set(check, reason);
        annotated.add(check);
      }
      continue;
    }
    const reasonOf = EXEMPT_REASON.exec(key);
    if (reasonOf && key.startsWith(REASON_ANNOTATION_PREFIX)) {
      const check = reasonOf[1]!;
      if (!isPolicyCheckId(check)) error(key, unknown(check));
      else if (annotations[polarisExemptAnnotation(check)] === undefined)
        error(
          key,
          `a reason without the exemption: Polaris still reports ${check}; add ${polarisExemptAnnotation(check)}: "true" or remove the reason`,
        );
    }
  }
  for (const e of reviewed) {
    if (
      e.kind === kindOf(s.object) &&
      e.name === nameOf(s.object) &&
      (e.namespace === undefined || e.namespace === namespaceOf(s.object)) &&
      (e.group === undefined || e.group === s.group)
    )
      checks.set(e.check, e.reason);
  }
  return { checks, annotated, problems };
}

/** Collects findings for one object, dropping exempted ones. */
class Findings {
  readonly problems: Problem[] = [];
  private readonly exempt: Exempt;
  constructor(
    private readonly source: SourcedObject,
    reviewed: readonly PolicyExemption[],
    private readonly prod: boolean,
  ) {
    this.exempt = exemptionsOf(source, reviewed);
    this.problems.push(...this.exempt.problems);
  }

  private readonly used = new Set<PolicyCheckId>();

  add(check: PolicyCheckId, path: string, detail?: string): void {
    if (this.exempt.checks.has(check)) {
      this.used.add(check);
      return;
    }
    const def: { severity: 'error' | 'warning'; prodSeverity?: 'error' | 'warning'; summary: string } =
      POLICY_CHECKS[check];
    const severity = this.prod && def.prodSeverity !== undefined ? def.prodSeverity : def.severity;
    const where = this.prod && def.prodSeverity !== undefined ? ' (required in production)' : '';
    this.problems.push({ ...base(this.source), path, severity, message: `${check}: ${detail ?? def.summary}${where}` });
  }

  /** Findings plus a warning per annotated exemption whose check passes anyway: stale exemptions hide regressions. */
  result(): Problem[] {
    const stale = [...this.exempt.annotated].filter((c) => !this.used.has(c));
    return [
      ...this.problems,
      ...stale.map((c) => ({
        ...base(this.source),
        path: annotationPath(polarisExemptAnnotation(c)),
        severity: 'warning' as const,
        message: `exemption of ${c} is not needed: the check passes; remove it`,
      })),
    ];
  }
}

/** Polaris-style policy over every workload and the objects that guard it. */
export function checkPolicies(objects: readonly SourcedObject[], opts: PolicyOptions = {}): Problem[] {
  const reviewed = opts.exemptions ?? REVIEWED_EXEMPTIONS;
  const prodEnvs = productionEnvironments(opts, [...new Set(objects.map((o) => o.group))]);
  const isProd = (group: string): boolean => group.startsWith('dist/') && prodEnvs.has(group.slice('dist/'.length));
  const problems: Problem[] = [];
  const byGroup = new Map<string, SourcedObject[]>();
  for (const s of objects) {
    const list = byGroup.get(s.group);
    if (list) list.push(s);
    else byGroup.set(s.group, [s]);
  }
  for (const [group, list] of byGroup) {
    const ctx = new GroupContext(list);
    for (const s of list) {
      const f = new Findings(s, reviewed, isProd(group));
      const w = podWorkloadOf(s);
      if (w) checkWorkload(w, ctx, f);
      checkOther(s, ctx, f);
      problems.push(...f.result());
    }
  }
  return problems;
}

class GroupContext {
  readonly workloads: PodWorkload[];
  constructor(readonly objects: readonly SourcedObject[]) {
    this.workloads = objects.map(podWorkloadOf).filter((w): w is PodWorkload => w !== undefined);
  }
  /** Per kind and namespace (undefined: none), the objects in input order: built once, asked for per workload. */
  private byKind: Map<string, Map<string | undefined, SourcedObject[]>> | undefined;

  /** The objects of `kind` in `namespace` (undefined: no namespace), in input order; do not change the list. */
  ofKind(kind: string, namespace: string | undefined): readonly SourcedObject[] {
    if (this.byKind === undefined) {
      this.byKind = new Map();
      for (const s of this.objects) {
        const k = kindOf(s.object);
        let byNamespace = this.byKind.get(k);
        if (byNamespace === undefined) {
          byNamespace = new Map();
          this.byKind.set(k, byNamespace);
        }
        const ns = namespaceOf(s.object);
        const list = byNamespace.get(ns);
        if (list === undefined) byNamespace.set(ns, [s]);
        else list.push(s);
      }
    }
    return this.byKind.get(kind)?.get(namespace) ?? [];
  }

  /** HPAs that scale this object. */
  autoscalersOf(s: SourcedObject): Obj[] {
    return this.ofKind('HorizontalPodAutoscaler', namespaceOf(s.object))
      .map((h) => asObj(h.object.spec) ?? {})
      .filter(
        (spec) =>
          asObj(spec.scaleTargetRef)?.kind === kindOf(s.object) &&
          asObj(spec.scaleTargetRef)?.name === nameOf(s.object),
      );
  }
}

const DANGEROUS_CAPS = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN']);
const INSECURE_CAPS = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
];
const SENSITIVE_NAME = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key)/i;

function capName(c: unknown): string {
  return String(c).toUpperCase().replace(/^CAP_/, '');
}

/** `repo[:tag][@digest]` -> tag and digest. */
export function parseImage(image: string): { tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at < 0 ? undefined : image.slice(at + 1);
  const ref = at < 0 ? image : image.slice(0, at);
  const colon = ref.lastIndexOf(':');
  const tag = colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : undefined;
  return { tag, digest };
}

function checkContainer(w: PodWorkload, c: ContainerRef, f: Findings): void {
  const ct = c.container;
  const psc = asObj(w.podSpec.securityContext) ?? {};
  const sc = asObj(ct.securityContext) ?? {};
  const res = asObj(ct.resources) ?? {};
  const requests = asObj(res.requests) ?? {};
  const limits = asObj(res.limits) ?? {};
  if (requests.cpu === undefined) f.add('cpuRequestsMissing', `${c.path}.resources.requests.cpu`);
  if (requests.memory === undefined) f.add('memoryRequestsMissing', `${c.path}.resources.requests.memory`);
  if (limits.cpu === undefined) f.add('cpuLimitsMissing', `${c.path}.resources.limits.cpu`);
  if (limits.memory === undefined) f.add('memoryLimitsMissing', `${c.path}.resources.limits.memory`);
  if (c.list === 'containers' && w.kind !== 'Job' && w.kind !== 'CronJob') {
    if (ct.readinessProbe === undefined) f.add('readinessProbeMissing', `${c.path}.readinessProbe`);
    if (ct.livenessProbe === undefined) f.add('livenessProbeMissing', `${c.path}.livenessProbe`);
  }
  const image = asString(ct.image) ?? '';
  const { tag, digest } = parseImage(image);
  if (digest === undefined && (tag === undefined || tag === 'latest'))
    f.add(
      'tagNotSpecified',
      `${c.path}.image`,
      `image ${JSON.stringify(image)} has ${tag === 'latest' ? 'the mutable tag latest' : 'no tag'} and no digest; pin a release tag and digest`,
    );
  if (ct.imagePullPolicy !== 'Always')
    f.add(
      'pullPolicyNotAlways',
      `${c.path}.imagePullPolicy`,
      `imagePullPolicy is ${JSON.stringify(ct.imagePullPolicy ?? 'unset')}, not Always`,
    );
  const runAsNonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  if (!(runAsNonRoot === true || (typeof runAsUser === 'number' && runAsUser > 0 && runAsNonRoot !== false)))
    f.add('runAsRootAllowed', `${c.path}.securityContext.runAsNonRoot`);
  if (sc.readOnlyRootFilesystem !== true)
    f.add('notReadOnlyRootFilesystem', `${c.path}.securityContext.readOnlyRootFilesystem`);
  if (sc.allowPrivilegeEscalation !== false)
    f.add('privilegeEscalationAllowed', `${c.path}.securityContext.allowPrivilegeEscalation`);
  if (sc.privileged === true) f.add('runAsPrivileged', `${c.path}.securityContext.privileged`);
  const caps = asObj(sc.capabilities) ?? {};
  const added = asArray(caps.add).map(capName);
  const dropped = new Set(asArray(caps.drop).map(capName));
  const dangerous = added.filter((a) => DANGEROUS_CAPS.has(a));
  if (dangerous.length > 0)
    f.add('dangerousCapabilities', `${c.path}.securityContext.capabilities.add`, `adds ${dangerous.join(', ')}`);
  const insecure = INSECURE_CAPS.filter((cap) => added.includes(cap) || !(dropped.has('ALL') || dropped.has(cap)));
  if (insecure.length > 0)
    f.add(
      'insecureCapabilities',
      `${c.path}.securityContext.capabilities`,
      `keeps ${insecure.join(', ')}; drop ALL and add back only what is needed`,
    );
  const seccomp = asString(asObj(sc.seccompProfile)?.type) ?? asString(asObj(psc.seccompProfile)?.type);
  const hardened =
    (seccomp !== undefined && seccomp !== 'Unconfined') ||
    sc.appArmorProfile !== undefined ||
    psc.appArmorProfile !== undefined ||
    sc.seLinuxOptions !== undefined ||
    psc.seLinuxOptions !== undefined ||
    dropped.has('ALL');
  if (!hardened) f.add('linuxHardening', `${c.path}.securityContext`);
  if (sc.procMount !== undefined && sc.procMount !== 'Default')
    f.add('procMount', `${c.path}.securityContext.procMount`);
  if (asObj(sc.windowsOptions)?.hostProcess === true || asObj(psc.windowsOptions)?.hostProcess === true)
    f.add('hostProcess', `${c.path}.securityContext.windowsOptions.hostProcess`);
  asArray(ct.ports).forEach((p, i) => {
    if (asObj(p)?.hostPort !== undefined) f.add('hostPortSet', `${c.path}.ports[${i}].hostPort`);
  });
  asArray(ct.env).forEach((e, i) => {
    const env = asObj(e);
    const name = asString(env?.name) ?? '';
    if (env?.value !== undefined && env.value !== '' && SENSITIVE_NAME.test(name))
      f.add(
        'sensitiveContainerEnvVar',
        `${c.path}.env[${i}].value`,
        `${name} has a literal value; use valueFrom.secretKeyRef`,
      );
  });
}

function checkWorkload(w: PodWorkload, ctx: GroupContext, f: Findings): void {
  const spec = w.podSpec;
  for (const key of ['hostIPC', 'hostPID', 'hostNetwork'] as const) {
    if (spec[key] === true) f.add(`${key}Set` as PolicyCheckId, `${w.specPath}.${key}`);
  }
  asArray(spec.volumes).forEach((v, i) => {
    if (asObj(v)?.hostPath !== undefined) f.add('hostPathSet', `${w.specPath}.volumes[${i}].hostPath`);
  });
  if (spec.automountServiceAccountToken !== false) {
    const saName = asString(spec.serviceAccountName) ?? 'default';
    const sa = ctx.ofKind('ServiceAccount', w.namespace).find((s) => nameOf(s.object) === saName);
    if (sa?.object.automountServiceAccountToken !== false || spec.automountServiceAccountToken === true)
      f.add(
        'automountServiceAccountToken',
        `${w.specPath}.automountServiceAccountToken`,
        `neither the pod nor ServiceAccount ${saName} sets automountServiceAccountToken: false`,
      );
  }
  const policies = ctx.ofKind('NetworkPolicy', w.namespace);
  const covered = policies.some((p) => {
    const sel = asObj(p.object.spec)?.podSelector;
    return isEmptySelector(sel) || matchesSelector(sel, w.podLabels);
  });
  if (!covered)
    f.add('missingNetworkPolicy', w.specPath, `no NetworkPolicy in namespace ${w.namespace ?? '-'} selects these pods`);
  if (spec.priorityClassName === undefined) f.add('priorityClassNotSet', `${w.specPath}.priorityClassName`);
  for (const c of containersOf(w)) checkContainer(w, c, f);
  if (w.kind === 'Deployment' || w.kind === 'StatefulSet') {
    // As Polaris: the manifest's own spec.replicas, whatever an HPA will do. (Polaris checks Deployments only;
    // one StatefulSet pod is as much an outage.)
    const replicas = asObj(w.source.object.spec)?.replicas;
    if (typeof replicas !== 'number' || replicas < 2)
      f.add(
        'deploymentMissingReplicas',
        'spec.replicas',
        typeof replicas === 'number'
          ? `${replicas} replica(s); run at least 2`
          : 'spec.replicas is unset (Polaris requires it, HPA or not); set it or exempt with the reason',
      );
    const pdbs = ctx
      .ofKind('PodDisruptionBudget', w.namespace)
      .filter((p) => matchesSelector(asObj(p.object.spec)?.selector, w.podLabels));
    if (pdbs.length === 0)
      f.add(
        'missingPodDisruptionBudget',
        '-',
        `no PodDisruptionBudget in namespace ${w.namespace ?? '-'} selects these pods`,
      );
    if (asArray(spec.topologySpreadConstraints).length === 0)
      f.add('topologySpreadConstraint', `${w.specPath}.topologySpreadConstraints`);
  }
}

function pdbMinAvailable(pdb: Obj): number | undefined {
  const v = asObj(pdb.spec)?.minAvailable;
  return typeof v === 'number' ? v : undefined;
}

function checkOther(s: SourcedObject, ctx: GroupContext, f: Findings): void {
  const kind = kindOf(s.object);
  const spec = asObj(s.object.spec) ?? {};
  switch (kind) {
    case 'PodDisruptionBudget': {
      const maxUnavailable = spec.maxUnavailable;
      const minAvailable = spec.minAvailable;
      if (maxUnavailable === 0 || maxUnavailable === '0%' || minAvailable === '100%')
        f.add('pdbDisruptionsIsZero', maxUnavailable !== undefined ? 'spec.maxUnavailable' : 'spec.minAvailable');
      else if (typeof minAvailable === 'number') {
        for (const w of ctx.workloads.filter(
          (x) => x.namespace === namespaceOf(s.object) && matchesSelector(spec.selector, x.podLabels),
        )) {
          const replicas = asObj(w.source.object.spec)?.replicas;
          if (
            (w.kind === 'Deployment' || w.kind === 'StatefulSet') &&
            ctx.autoscalersOf(w.source).length === 0 &&
            minAvailable >= (typeof replicas === 'number' ? replicas : 1)
          )
            f.add(
              'pdbDisruptionsIsZero',
              'spec.minAvailable',
              `minAvailable ${minAvailable} >= ${kindOf(w.source.object)} ${nameOf(w.source.object)} replicas: no pod can ever be evicted`,
            );
        }
      }
      break;
    }
    case 'HorizontalPodAutoscaler': {
      const min = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
      const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : 0;
      if (min < 2) f.add('hpaMinAvailability', 'spec.minReplicas', `minReplicas ${min}; use at least 2`);
      if (max <= min)
        f.add('hpaMaxAvailability', 'spec.maxReplicas', `maxReplicas ${max} leaves no room above minReplicas ${min}`);
      const ref = asObj(spec.scaleTargetRef);
      const target = ctx.workloads.find(
        (w) => w.kind === ref?.kind && nameOf(w.source.object) === ref?.name && w.namespace === namespaceOf(s.object),
      );
      if (target) {
        for (const pdb of ctx.ofKind('PodDisruptionBudget', target.namespace)) {
          const pmin = pdbMinAvailable(pdb.object);
          if (pmin !== undefined && matchesSelector(asObj(pdb.object.spec)?.selector, target.podLabels) && pmin >= min)
            f.add(
              'pdbMinAvailableGreaterThanOrEqualToHPAMinReplicas',
              'spec.minReplicas',
              `PodDisruptionBudget ${nameOf(pdb.object)} minAvailable ${pmin} >= minReplicas ${min}`,
            );
        }
      }
      break;
    }
    case 'ConfigMap':
      for (const key of Object.keys(asObj(s.object.data) ?? {}))
        if (SENSITIVE_NAME.test(key))
          f.add(
            'sensitiveConfigmapContent',
            `data[${JSON.stringify(key)}]`,
            `key ${key} looks like a secret; keep it in a Secret`,
          );
      break;
    case 'Ingress':
      if (asArray(spec.tls).length === 0) f.add('tlsSettingsMissing', 'spec.tls');
      break;
    case 'ClusterRole':
    case 'Role':
      asArray(s.object.rules).forEach((r, i) => {
        const rule = asObj(r) ?? {};
        const groups = asArray(rule.apiGroups).map(String);
        const resources = asArray(rule.resources).map(String);
        const verbs = asArray(rule.verbs).map(String);
        const core = groups.includes('') || groups.includes('*');
        const exec = resources.some((x) => x === 'pods/exec' || x === 'pods/attach' || x === '*' || x === 'pods/*');
        if (core && exec && verbs.some((v) => v === 'create' || v === 'get' || v === '*'))
          f.add(kind === 'ClusterRole' ? 'clusterrolePodExecAttach' : 'rolePodExecAttach', `rules[${i}]`);
      });
      break;
    case 'ClusterRoleBinding':
    case 'RoleBinding': {
      const ref = asObj(s.object.roleRef);
      if (ref?.kind === 'ClusterRole' && ref.name === 'cluster-admin')
        f.add(
          kind === 'ClusterRoleBinding' ? 'clusterrolebindingClusterAdmin' : 'rolebindingClusterAdminClusterRole',
          'roleRef',
        );
      break;
    }
    default:
      break;
  }
}
