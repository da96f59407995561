import type { SourcedObject } from './load-files';
import { asArray, asObj, kindOf, labelsOf, type Obj } from './objects';

/** A pod-producing object with its pod template, the unit of selector matching and policy checks. */
export interface PodWorkload {
  readonly source: SourcedObject;
  readonly kind: string;
  readonly namespace: string | undefined;
  /** Field path of the pod spec inside the object, e.g. `spec.template.spec`. */
  readonly specPath: string;
  readonly podSpec: Obj;
  readonly podLabels: Record<string, string>;
}

export const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
]);

export function podWorkloadOf(source: SourcedObject): PodWorkload | undefined {
  const o = source.object;
  const kind = kindOf(o);
  if (!WORKLOAD_KINDS.has(kind) || typeof o.apiVersion !== 'string') return undefined;
  const namespace = asObj(o.metadata)?.namespace as string | undefined;
  if (kind === 'Pod') {
    const spec = asObj(o.spec);
    return spec && { source, kind, namespace, specPath: 'spec', podSpec: spec, podLabels: labelsOf(o) };
  }
  const template =
    kind === 'CronJob'
      ? asObj(asObj(asObj(asObj(o.spec)?.jobTemplate)?.spec)?.template)
      : asObj(asObj(o.spec)?.template);
  const spec = asObj(template?.spec);
  if (spec === undefined) return undefined;
  const specPath = kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : 'spec.template.spec';
  return { source, kind, namespace, specPath, podSpec: spec, podLabels: labelsOf(template) };
}

export interface ContainerRef {
  readonly container: Obj;
  /** `containers` or `initContainers`. */
  readonly list: 'containers' | 'initContainers';
  readonly index: number;
  readonly path: string;
}

export function containersOf(
  w: PodWorkload,
  lists: readonly ('containers' | 'initContainers')[] = ['containers', 'initContainers'],
): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const list of lists) {
    asArray(w.podSpec[list]).forEach((c, index) => {
      const container = asObj(c);
      if (container) out.push({ container, list, index, path: `${w.specPath}.${list}[${index}]` });
    });
  }
  return out;
}
