import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PLATFORM_API, type XrKindNames } from '../api';
import { standardLabels } from '../../constructs/labels';
import { argoAnnotations, type SyncWaveName } from '../../sync-waves';
import { serializeSpec, validateSpec, type Fields } from './fields';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Thrown when XR props are invalid; the message lists every problem with field, value and expectation. */
export class XrPropsError extends Error {
  constructor(kind: string, name: string, problems: readonly string[]) {
    super(`${kind} ${JSON.stringify(name)}:\n  ${problems.join('\n  ')}`);
    this.name = 'XrPropsError';
  }
}

export interface CompositeResourceProps<S> {
  /** metadata.name of the XR (a DNS-1123 subdomain). */
  readonly name: string;
  /** Namespace of the XR and of its composed resources. */
  readonly namespace: string;
  /** `app.kubernetes.io/instance` of the XR (unique per environment, e.g. `metrics-app-dev`); a label value. */
  readonly instance?: string;
  readonly spec: S;
}

/**
 * A namespaced Crossplane v2 XR of this platform's API, validated against its field tree before it is rendered
 * and serialized from the same tree (the XRD's schema comes from it too).
 */
export abstract class CompositeResource<S extends object> extends Construct {
  /** The rendered Kubernetes object. */
  readonly apiObject: ApiObject;

  protected constructor(
    scope: Construct,
    id: string,
    names: XrKindNames,
    fields: Fields,
    props: CompositeResourceProps<S>,
    wave: SyncWaveName = 'compositeResources',
  ) {
    super(scope, id);
    const problems: string[] = [];
    if (typeof props.name !== 'string' || props.name.length > 253 || !DNS1123_SUBDOMAIN.test(props.name)) {
      problems.push(`metadata.name: got ${JSON.stringify(props.name)}; expected a DNS-1123 subdomain (lower-case letters, digits, "-", ".")`);
    }
    if (typeof props.namespace !== 'string' || props.namespace.length > 63 || !DNS1123_LABEL.test(props.namespace)) {
      problems.push(`metadata.namespace: got ${JSON.stringify(props.namespace)}; expected a DNS-1123 label`);
    }
    if (props.instance !== undefined && (typeof props.instance !== 'string' || !LABEL_VALUE.test(props.instance))) {
      problems.push(`instance: got ${JSON.stringify(props.instance)}; expected a label value (at most 63 letters, digits, "-", "_", ".", alphanumeric at both ends)`);
    }
    problems.push(...validateSpec(fields, props.spec));
    if (problems.length > 0) throw new XrPropsError(names.kind, String(props.name), problems);

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: PLATFORM_API,
      kind: names.kind,
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: standardLabels({ name: names.singular, instance: props.instance, component: 'composite-resource' }),
        annotations: argoAnnotations(wave),
      },
      spec: serializeSpec(fields, props.spec),
    });
  }
}
