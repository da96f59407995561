/** The value of `app.kubernetes.io/part-of` on every object this repository renders. */
export const PART_OF = 'metrics-platform';
/** The value of `app.kubernetes.io/managed-by`: the tool that writes the manifests (Argo CD applies them). */
export const MANAGED_BY = 'platform-synth';

export interface StandardLabelsProps {
  /** `app.kubernetes.io/name`: the application, e.g. `metrics-app`; omitted only where no application is meant. */
  readonly name?: string;
  /**
   * `app.kubernetes.io/instance`: unique per environment, e.g. `metrics-app-dev`; omitted on objects that are the
   * same in every environment (the Crossplane packages, XRDs and Compositions).
   */
  readonly instance?: string;
  /** `app.kubernetes.io/version`: the release (an image or package tag); must be a valid label value. */
  readonly version?: string;
  /** `app.kubernetes.io/component`, e.g. `server`, `metrics-backend`, `network-policy`, `crossplane-provider`. */
  readonly component: string;
}

/** The recommended `app.kubernetes.io/*` labels, in one place: every object this repository renders carries them. */
export function standardLabels(props: StandardLabelsProps): Record<string, string> {
  // Keys in sorted order, like everything cdk8s renders, also where a JSON patch inserts them verbatim.
  const labels: Record<string, string | undefined> = {
    'app.kubernetes.io/component': props.component,
    'app.kubernetes.io/instance': props.instance,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/name': props.name,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/version': props.version,
  };
  return Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * The labels that select a workload's pods. Only name and instance: they never change for the life of the workload
 * (a Deployment's selector is immutable, so the version must not be part of it).
 */
export function selectorLabels(
  props: Required<Pick<StandardLabelsProps, 'name' | 'instance'>>,
): Record<string, string> {
  return { 'app.kubernetes.io/name': props.name, 'app.kubernetes.io/instance': props.instance };
}

/**
 * Turns a free-form version (an image tag may be 128 characters and end in `.` or `-`) into a valid label value:
 * at most 63 characters, starting and ending alphanumeric.
 */
export function labelValue(value: string): string {
  const cleaned = value
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned === '' ? 'unknown' : cleaned;
}
