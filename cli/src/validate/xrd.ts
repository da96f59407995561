/**
 * What Crossplane v2 generates from a CompositeResourceDefinition: the XR kind's schema with the standard fields
 * Crossplane adds (spec.crossplane.* and status.conditions / status.crossplane for Namespaced and Cluster XRs;
 * the same machinery directly under spec for LegacyCluster). Mirrors crossplane/internal/xcrd (v2.3).
 */

type Schema = Record<string, unknown>;

export type XrdScope = 'Namespaced' | 'Cluster' | 'LegacyCluster';

export interface CompositeKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly scope: XrdScope;
  readonly schema: Schema;
}

/** Raised for an XRD this module cannot read; the message names the field, the value and the expectation. */
export class InvalidXrdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidXrdError';
  }
}

const str: Schema = { type: 'string' };
const nameRef: Schema = { type: 'object', required: ['name'], properties: { name: str } };
const labelSelector: Schema = {
  type: 'object',
  required: ['matchLabels'],
  properties: { matchLabels: { type: 'object', additionalProperties: str } },
};

function machineryProps(scope: XrdScope): Record<string, Schema> {
  const refProps: Record<string, Schema> = { apiVersion: str, name: str, kind: str };
  if (scope !== 'Namespaced') refProps.namespace = str;
  const props: Record<string, Schema> = {
    compositionRef: nameRef,
    compositionSelector: labelSelector,
    compositionRevisionRef: nameRef,
    compositionRevisionSelector: labelSelector,
    compositionUpdatePolicy: { type: 'string', enum: ['Automatic', 'Manual'] },
    resourceRefs: {
      type: 'array',
      'x-kubernetes-list-type': 'atomic',
      items: { type: 'object', required: ['apiVersion', 'kind'], properties: refProps },
    },
  };
  if (scope === 'LegacyCluster') {
    props.claimRef = {
      type: 'object',
      required: ['apiVersion', 'kind', 'namespace', 'name'],
      properties: { apiVersion: str, kind: str, namespace: str, name: str },
    };
    props.writeConnectionSecretToRef = {
      type: 'object',
      required: ['name', 'namespace'],
      properties: { name: str, namespace: str },
    };
  }
  return props;
}

function statusProps(scope: XrdScope): Record<string, Schema> {
  const lastPublished: Schema = {
    type: 'object',
    properties: { lastPublishedTime: { type: 'string', format: 'date-time' } },
  };
  const props: Record<string, Schema> = {
    conditions: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      items: {
        type: 'object',
        required: ['lastTransitionTime', 'reason', 'status', 'type'],
        properties: {
          lastTransitionTime: { type: 'string', format: 'date-time' },
          message: str,
          reason: str,
          status: str,
          type: str,
          observedGeneration: { type: 'integer', format: 'int64' },
        },
      },
    },
  };
  if (scope === 'LegacyCluster') {
    props.connectionDetails = lastPublished;
    props.claimConditionTypes = { type: 'array', 'x-kubernetes-list-type': 'set', items: str };
  } else {
    props.crossplane = { type: 'object', properties: { connectionDetails: lastPublished } };
  }
  return props;
}

function obj(v: unknown): Schema | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Schema) : undefined;
}

function need(cond: boolean, name: string, field: string, got: unknown, expected: string): void {
  if (!cond)
    throw new InvalidXrdError(`XRD ${name}: ${field}: got ${JSON.stringify(got) ?? 'nothing'}; expected ${expected}`);
}

/** The XR kinds (one per served version) that `xrd` defines, each with its full generated schema. */
export function compositeKindsOf(xrd: unknown): CompositeKind[] {
  const root = obj(xrd);
  const name = String(obj(root?.metadata)?.name ?? '<unnamed>');
  const apiVersion = root?.apiVersion;
  need(
    apiVersion === 'apiextensions.crossplane.io/v2' || apiVersion === 'apiextensions.crossplane.io/v1',
    name,
    'apiVersion',
    apiVersion,
    'apiextensions.crossplane.io/v2 (or v1)',
  );
  need(root?.kind === 'CompositeResourceDefinition', name, 'kind', root?.kind, 'CompositeResourceDefinition');
  const spec = obj(root?.spec);
  const group = spec?.group;
  need(
    typeof group === 'string' && group !== '',
    name,
    'spec.group',
    group,
    'an API group such as platform.example.org',
  );
  const names = obj(spec?.names);
  const kind = names?.kind;
  need(typeof kind === 'string' && kind !== '', name, 'spec.names.kind', kind, 'the XR kind');
  const defaultScope: XrdScope = apiVersion === 'apiextensions.crossplane.io/v1' ? 'LegacyCluster' : 'Namespaced';
  const scope = (spec?.scope ?? defaultScope) as XrdScope;
  need(
    ['Namespaced', 'Cluster', 'LegacyCluster'].includes(scope),
    name,
    'spec.scope',
    scope,
    'Namespaced, Cluster or LegacyCluster',
  );
  const versions = spec?.versions;
  need(Array.isArray(versions) && versions.length > 0, name, 'spec.versions', versions, 'at least one version');
  const out: CompositeKind[] = [];
  (versions as unknown[]).forEach((v, i) => {
    const version = obj(v);
    const vname = version?.name;
    need(typeof vname === 'string' && vname !== '', name, `spec.versions[${i}].name`, vname, 'a version name');
    const schema = obj(obj(version?.schema)?.openAPIV3Schema);
    need(schema !== undefined, name, `spec.versions[${i}].schema.openAPIV3Schema`, schema, 'an OpenAPI v3 schema');
    out.push({
      group: group as string,
      version: vname as string,
      kind: kind as string,
      scope,
      schema: generatedSchema(schema as Schema, scope),
    });
  });
  return out;
}

function generatedSchema(userSchema: Schema, scope: XrdScope): Schema {
  const props = obj(userSchema.properties) ?? {};
  const xSpec = obj(props.spec) ?? {};
  const xStatus = obj(props.status) ?? {};
  const machinery = machineryProps(scope);
  const specProps: Record<string, unknown> = { ...(obj(xSpec.properties) ?? {}) };
  if (scope === 'LegacyCluster') Object.assign(specProps, machinery);
  else
    specProps.crossplane = {
      type: 'object',
      description: 'Configures how Crossplane will reconcile this composite resource',
      properties: machinery,
    };
  const spec: Schema = { ...xSpec, type: 'object', properties: specProps };
  const status: Schema = {
    ...xStatus,
    type: 'object',
    properties: { ...(obj(xStatus.properties) ?? {}), ...statusProps(scope) },
  };
  const schema: Schema = {
    type: 'object',
    required: ['spec'],
    properties: { apiVersion: str, kind: str, metadata: { type: 'object' }, spec, status },
  };
  if (userSchema.description !== undefined) schema.description = userSchema.description;
  return schema;
}
