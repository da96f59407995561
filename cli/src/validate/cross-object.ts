import { GRAFANA_NAMESPACE } from '@metrics-platform/cdk8s/lib/config/constants';
import type { SourcedObject } from './load-files';
import { asArray, asObj, asString, groupOf, kindOf, labelsOf, nameOf, namespaceOf, type Obj } from './objects';
import type { Problem } from './problem';
import { isEmptySelector, matchesMap, matchesSelector } from './selectors';
import { containersOf, podWorkloadOf, type PodWorkload } from './workloads';

/**
 * Namespaces that exist without this repository rendering them, each with the reason. Objects of `crossplane/`
 * and `argocd/` may live in them; a rendered environment (`dist/<env>`) must create its own namespaces.
 */
export const EXTERNALLY_CREATED_NAMESPACES: Readonly<Record<string, string>> = {
  default: 'created by Kubernetes',
  'kube-system': 'created by Kubernetes',
  'kube-public': 'created by Kubernetes',
  'kube-node-lease': 'created by Kubernetes',
  argocd: 'created by the Argo CD install that argocd/bootstrap applies',
  'crossplane-system': 'created by the Crossplane Helm install',
  [GRAFANA_NAMESPACE]:
    "Grafana's, the default graphite.webClients.namespace: created with the cluster's monitoring stack, outside this repository",
};

function problem(s: SourcedObject, path: string, message: string, severity: 'error' | 'warning' = 'error'): Problem {
  return {
    file: s.file,
    kind: kindOf(s.object),
    namespace: namespaceOf(s.object) ?? '-',
    name: nameOf(s.object),
    path,
    message,
    severity,
  };
}

/** The objects of one apply unit (`dist/<env>`, `crossplane`, `argocd`), indexed for lookups. */
class Group {
  readonly workloads: PodWorkload[] = [];
  private readonly byKey = new Map<string, SourcedObject>();
  readonly namespaces = new Map<string, SourcedObject>();

  constructor(
    readonly name: string,
    readonly objects: SourcedObject[],
  ) {
    for (const s of objects) {
      const w = podWorkloadOf(s);
      if (w) this.workloads.push(w);
      if (kindOf(s.object) === 'Namespace' && s.object.apiVersion === 'v1') this.namespaces.set(nameOf(s.object), s);
      const k = `${kindOf(s.object)}/${namespaceOf(s.object) ?? ''}/${nameOf(s.object)}`;
      if (!this.byKey.has(k)) this.byKey.set(k, s);
    }
  }

  find(kind: string, namespace: string | undefined, name: string): SourcedObject | undefined {
    return this.byKey.get(`${kind}/${namespace ?? ''}/${name}`);
  }

  /** Per kind, the namespaces (undefined: none) its objects are in; built on first use. */
  private kindNamespaces: Map<string, Set<string | undefined>> | undefined;
  /** Per namespace, the workloads in it, in input order; built on first use. */
  private podsByNamespace: Map<string | undefined, PodWorkload[]> | undefined;
  /** Per namespace name, the labels a selector sees (see namespaceLabels). */
  readonly namespaceLabels = new Map<string, Record<string, string>>();

  hasAny(kind: string, namespace?: string): boolean {
    if (this.kindNamespaces === undefined) {
      this.kindNamespaces = new Map();
      for (const s of this.objects) {
        const k = kindOf(s.object);
        let set = this.kindNamespaces.get(k);
        if (set === undefined) this.kindNamespaces.set(k, (set = new Set()));
        set.add(namespaceOf(s.object));
      }
    }
    const set = this.kindNamespaces.get(kind);
    return set !== undefined && (namespace === undefined || set.has(namespace));
  }

  /** The workloads in `namespace`, in input order; do not change the list. */
  podsIn(namespace: string | undefined): readonly PodWorkload[] {
    if (this.podsByNamespace === undefined) {
      this.podsByNamespace = new Map();
      for (const w of this.workloads) {
        const list = this.podsByNamespace.get(w.namespace);
        if (list === undefined) this.podsByNamespace.set(w.namespace, [w]);
        else list.push(w);
      }
    }
    return this.podsByNamespace.get(namespace) ?? [];
  }
}

/** Checks schemas cannot express, per apply unit. */
export function checkCrossObject(objects: readonly SourcedObject[]): Problem[] {
  const byGroup = new Map<string, SourcedObject[]>();
  for (const s of objects) {
    const list = byGroup.get(s.group) ?? [];
    list.push(s);
    byGroup.set(s.group, list);
  }
  const allNamespaces = new Set(objects.filter((s) => kindOf(s.object) === 'Namespace').map((s) => nameOf(s.object)));
  const knownNamespaces = new Set([...allNamespaces, ...Object.keys(EXTERNALLY_CREATED_NAMESPACES)]);
  const problems: Problem[] = [];
  for (const [name, list] of byGroup) {
    const g = new Group(name, list);
    problems.push(...collisions(g));
    problems.push(...namespacesExist(g, allNamespaces));
    problems.push(...serviceSelectors(g));
    problems.push(...networkPolicySelectors(g, knownNamespaces));
    problems.push(...disruptionBudgetsAndAutoscalers(g));
    problems.push(...podReferences(g));
    problems.push(...storageClasses(g));
  }
  return problems;
}

function collisions(g: Group): Problem[] {
  const seen = new Map<string, SourcedObject>();
  const out: Problem[] = [];
  for (const s of g.objects) {
    const apiVersion = asString(s.object.apiVersion) ?? '';
    const k = `${groupOf(apiVersion)}/${kindOf(s.object)}/${namespaceOf(s.object) ?? ''}/${nameOf(s.object)}`;
    const first = seen.get(k);
    if (first)
      out.push(problem(s, '-', `collides with the same group/kind/namespace/name in ${first.file} (in ${g.name})`));
    else seen.set(k, s);
  }
  return out;
}

function namespacesExist(g: Group, allNamespaces: Set<string>): Problem[] {
  const out: Problem[] = [];
  const rendered = g.name.startsWith('dist/');
  for (const s of g.objects) {
    const ns = namespaceOf(s.object);
    if (ns === undefined || g.namespaces.has(ns)) continue;
    if (rendered) {
      out.push(
        problem(
          s,
          'metadata.namespace',
          `namespace ${JSON.stringify(ns)} is not created in ${g.name}: add a Namespace object there`,
        ),
      );
    } else if (!allNamespaces.has(ns) && EXTERNALLY_CREATED_NAMESPACES[ns] === undefined) {
      out.push(
        problem(
          s,
          'metadata.namespace',
          `namespace ${JSON.stringify(ns)} is neither rendered by this repository nor created by an install it applies (${Object.keys(EXTERNALLY_CREATED_NAMESPACES).join(', ')})`,
        ),
      );
    }
  }
  return out;
}

function serviceSelectors(g: Group): Problem[] {
  const out: Problem[] = [];
  for (const s of g.objects) {
    if (kindOf(s.object) !== 'Service' || s.object.apiVersion !== 'v1') continue;
    const spec = asObj(s.object.spec);
    const selector = asObj(spec?.selector);
    if (selector === undefined || Object.keys(selector).length === 0) continue; // ExternalName or manual endpoints
    const ns = namespaceOf(s.object);
    const pods = g.podsIn(ns).filter((w) => matchesMap(selector, w.podLabels));
    if (pods.length === 0) {
      out.push(problem(s, 'spec.selector', `selects no pod in namespace ${ns ?? '-'} (${JSON.stringify(selector)})`));
      continue;
    }
    asArray(spec?.ports).forEach((p, i) => {
      const target = asObj(p)?.targetPort;
      if (typeof target !== 'string') return;
      const named = pods.some((w) =>
        containersOf(w, ['containers']).some((c) =>
          asArray(c.container.ports).some((cp) => asObj(cp)?.name === target),
        ),
      );
      if (!named)
        out.push(
          problem(
            s,
            `spec.ports[${i}].targetPort`,
            `no selected pod has a container port named ${JSON.stringify(target)}`,
          ),
        );
    });
  }
  return out;
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The labels of namespace `name` as the selectors of `g` see them (read-only: shared by every selector of g). */
function namespaceLabels(name: string, g: Group): Record<string, string> {
  let labels = g.namespaceLabels.get(name);
  if (labels === undefined) {
    const ns = g.namespaces.get(name);
    // The API server sets kubernetes.io/metadata.name on every namespace.
    labels = { ...(ns ? labelsOf(ns.object) : {}), [NAMESPACE_NAME_LABEL]: name };
    g.namespaceLabels.set(name, labels);
  }
  return labels;
}

/**
 * The namespaces a namespace selector can match: only the one it names when it matches on
 * kubernetes.io/metadata.name (which every namespace carries with its own name), else all. Saves trying every
 * namespace of a large platform against every peer of every policy.
 */
function namespaceCandidates(selector: unknown, known: ReadonlySet<string>): string[] {
  const named = asObj(asObj(selector)?.matchLabels)?.[NAMESPACE_NAME_LABEL];
  if (typeof named === 'string') return known.has(named) ? [named] : [];
  return [...known];
}

/** `knownNamespaces`: every Namespace of the input and EXTERNALLY_CREATED_NAMESPACES. */
function networkPolicySelectors(g: Group, knownNamespaces: ReadonlySet<string>): Problem[] {
  const out: Problem[] = [];
  for (const s of g.objects) {
    if (kindOf(s.object) !== 'NetworkPolicy' || s.object.apiVersion !== 'networking.k8s.io/v1') continue;
    const spec = asObj(s.object.spec);
    const ns = namespaceOf(s.object);
    const pods = g.podsIn(ns);
    const podSelector = spec?.podSelector;
    if (
      podSelector !== undefined &&
      !isEmptySelector(podSelector) &&
      !pods.some((w) => matchesSelector(podSelector, w.podLabels))
    )
      out.push(problem(s, 'spec.podSelector', `selects no pod in namespace ${ns ?? '-'}`));
    for (const dir of ['ingress', 'egress'] as const) {
      const peersKey = dir === 'ingress' ? 'from' : 'to';
      asArray(spec?.[dir]).forEach((r, i) => {
        asArray(asObj(r)?.[peersKey]).forEach((p, j) => {
          const peer = asObj(p);
          const at = `spec.${dir}[${i}].${peersKey}[${j}]`;
          if (peer === undefined) return;
          if (peer.namespaceSelector !== undefined) {
            if (isEmptySelector(peer.namespaceSelector)) return;
            const matched = namespaceCandidates(peer.namespaceSelector, knownNamespaces).filter((n) =>
              matchesSelector(peer.namespaceSelector, namespaceLabels(n, g)),
            );
            if (matched.length === 0)
              out.push(
                problem(
                  s,
                  `${at}.namespaceSelector`,
                  'matches no namespace rendered here or created by an install this repository applies',
                  'warning',
                ),
              );
            else if (peer.podSelector !== undefined && !isEmptySelector(peer.podSelector)) {
              const local = matched.filter((n) => g.namespaces.has(n) || n === ns);
              if (
                local.length > 0 &&
                local.length === matched.length &&
                !local.some((n) => g.podsIn(n).some((w) => matchesSelector(peer.podSelector, w.podLabels)))
              )
                out.push(problem(s, `${at}.podSelector`, `selects no pod in namespace(s) ${local.join(', ')}`));
            }
            return;
          }
          if (
            peer.podSelector !== undefined &&
            !isEmptySelector(peer.podSelector) &&
            !pods.some((w) => matchesSelector(peer.podSelector, w.podLabels))
          )
            out.push(problem(s, `${at}.podSelector`, `selects no pod in namespace ${ns ?? '-'}`));
        });
      });
    }
  }
  return out;
}

function disruptionBudgetsAndAutoscalers(g: Group): Problem[] {
  const out: Problem[] = [];
  for (const s of g.objects) {
    const kind = kindOf(s.object);
    const ns = namespaceOf(s.object);
    const spec = asObj(s.object.spec);
    if (kind === 'PodDisruptionBudget') {
      if (!g.podsIn(ns).some((w) => matchesSelector(spec?.selector, w.podLabels)))
        out.push(problem(s, 'spec.selector', `selects no pod in namespace ${ns ?? '-'}`));
    } else if (kind === 'HorizontalPodAutoscaler') {
      const ref = asObj(spec?.scaleTargetRef);
      const targetKind = asString(ref?.kind) ?? '';
      const targetName = asString(ref?.name) ?? '';
      const target = g.find(targetKind, ns, targetName);
      if (target === undefined)
        out.push(
          problem(
            s,
            'spec.scaleTargetRef',
            `target ${targetKind}/${targetName} is not rendered in namespace ${ns ?? '-'} of ${g.name}`,
          ),
        );
      else if (asString(ref?.apiVersion) !== undefined && ref?.apiVersion !== target.object.apiVersion)
        out.push(
          problem(
            s,
            'spec.scaleTargetRef.apiVersion',
            `got ${JSON.stringify(ref?.apiVersion)}; the target is ${String(target.object.apiVersion)}`,
          ),
        );
    }
  }
  return out;
}

interface Ref {
  readonly kind: 'ConfigMap' | 'Secret' | 'ServiceAccount' | 'PersistentVolumeClaim';
  readonly name: string;
  readonly path: string;
  readonly key?: string;
  readonly optional: boolean;
}

function refsOf(w: PodWorkload): Ref[] {
  const refs: Ref[] = [];
  const spec = w.podSpec;
  const sa = asString(spec.serviceAccountName) ?? asString(spec.serviceAccount);
  if (sa !== undefined && sa !== 'default')
    refs.push({ kind: 'ServiceAccount', name: sa, path: `${w.specPath}.serviceAccountName`, optional: false });
  asArray(spec.imagePullSecrets).forEach((p, i) => {
    const name = asString(asObj(p)?.name);
    if (name) refs.push({ kind: 'Secret', name, path: `${w.specPath}.imagePullSecrets[${i}]`, optional: false });
  });
  asArray(spec.volumes).forEach((v, i) => {
    const vol = asObj(v) ?? {};
    const at = `${w.specPath}.volumes[${i}]`;
    const cm = asObj(vol.configMap);
    if (cm?.name)
      refs.push({
        kind: 'ConfigMap',
        name: String(cm.name),
        path: `${at}.configMap.name`,
        optional: cm.optional === true,
      });
    const sec = asObj(vol.secret);
    if (sec?.secretName)
      refs.push({
        kind: 'Secret',
        name: String(sec.secretName),
        path: `${at}.secret.secretName`,
        optional: sec.optional === true,
      });
    const pvc = asObj(vol.persistentVolumeClaim);
    if (pvc?.claimName)
      refs.push({
        kind: 'PersistentVolumeClaim',
        name: String(pvc.claimName),
        path: `${at}.persistentVolumeClaim.claimName`,
        optional: false,
      });
    asArray(asObj(vol.projected)?.sources).forEach((src, j) => {
      for (const kind of ['configMap', 'secret'] as const) {
        const ref = asObj(asObj(src)?.[kind]);
        if (ref?.name)
          refs.push({
            kind: kind === 'configMap' ? 'ConfigMap' : 'Secret',
            name: String(ref.name),
            path: `${at}.projected.sources[${j}].${kind}.name`,
            optional: ref.optional === true,
          });
      }
    });
  });
  for (const c of containersOf(w)) {
    asArray(c.container.envFrom).forEach((e, i) => {
      const ef = asObj(e) ?? {};
      const cm = asObj(ef.configMapRef);
      if (cm?.name)
        refs.push({
          kind: 'ConfigMap',
          name: String(cm.name),
          path: `${c.path}.envFrom[${i}].configMapRef.name`,
          optional: cm.optional === true,
        });
      const sec = asObj(ef.secretRef);
      if (sec?.name)
        refs.push({
          kind: 'Secret',
          name: String(sec.name),
          path: `${c.path}.envFrom[${i}].secretRef.name`,
          optional: sec.optional === true,
        });
    });
    asArray(c.container.env).forEach((e, i) => {
      const from = asObj(asObj(e)?.valueFrom);
      const cm = asObj(from?.configMapKeyRef);
      if (cm?.name)
        refs.push({
          kind: 'ConfigMap',
          name: String(cm.name),
          key: asString(cm.key),
          path: `${c.path}.env[${i}].valueFrom.configMapKeyRef`,
          optional: cm.optional === true,
        });
      const sec = asObj(from?.secretKeyRef);
      if (sec?.name)
        refs.push({
          kind: 'Secret',
          name: String(sec.name),
          key: asString(sec.key),
          path: `${c.path}.env[${i}].valueFrom.secretKeyRef`,
          optional: sec.optional === true,
        });
    });
  }
  return refs;
}

function podReferences(g: Group): Problem[] {
  const out: Problem[] = [];
  for (const w of g.workloads) {
    for (const ref of refsOf(w)) {
      if (ref.optional) continue;
      // Secrets usually come from outside (External Secrets, the CSI driver): checked only where the
      // namespace renders Secrets itself.
      if (ref.kind === 'Secret' && !g.hasAny('Secret', w.namespace)) continue;
      const target = g.find(ref.kind, w.namespace, ref.name);
      if (target === undefined) {
        out.push(
          problem(
            w.source,
            ref.path,
            `${ref.kind} ${JSON.stringify(ref.name)} is not rendered in namespace ${w.namespace ?? '-'} of ${g.name}`,
          ),
        );
        continue;
      }
      if (ref.key !== undefined) {
        const data = {
          ...(asObj(target.object.data) ?? {}),
          ...(asObj(target.object.binaryData) ?? {}),
          ...(asObj(target.object.stringData) ?? {}),
        };
        if (!(ref.key in data))
          out.push(
            problem(
              w.source,
              `${ref.path}.key`,
              `${ref.kind} ${ref.name} has no key ${JSON.stringify(ref.key)} (has: ${Object.keys(data).join(', ') || 'none'})`,
            ),
          );
      }
    }
  }
  return out;
}

function storageClasses(g: Group): Problem[] {
  const classes = new Set(g.objects.filter((s) => kindOf(s.object) === 'StorageClass').map((s) => nameOf(s.object)));
  // Where no StorageClass is rendered the cluster owner provides them: nothing to compare against.
  if (classes.size === 0) return [];
  const out: Problem[] = [];
  const check = (s: SourcedObject, spec: Obj | undefined, path: string): void => {
    const sc = asString(spec?.storageClassName);
    if (sc !== undefined && sc !== '' && !classes.has(sc))
      out.push(
        problem(
          s,
          path,
          `StorageClass ${JSON.stringify(sc)} is not rendered in ${g.name} (rendered: ${[...classes].sort().join(', ')})`,
        ),
      );
  };
  for (const s of g.objects) {
    const kind = kindOf(s.object);
    if (kind === 'PersistentVolumeClaim') check(s, asObj(s.object.spec), 'spec.storageClassName');
    if (kind === 'StatefulSet')
      asArray(asObj(s.object.spec)?.volumeClaimTemplates).forEach((t, i) =>
        check(s, asObj(asObj(t)?.spec), `spec.volumeClaimTemplates[${i}].spec.storageClassName`),
      );
  }
  return out;
}
