import { PLATFORM_API, PLATFORM_API_GROUP, PROVIDER_CONFIG_NAME, RESOURCE_ROLE_LABEL, type XrKindNames } from '../api';
import { FUNCTION_AUTO_READY, FUNCTION_PATCH_AND_TRANSFORM } from '../packages';
import { PART_OF, standardLabels } from '../../constructs/labels';
import { argoAnnotations } from '../../sync-waves';
import { managementPoliciesByDeletionPolicy } from '../xr/common-fields';
import type { KubeObject } from '../xrd';

/** The function-patch-and-transform (v0.10) input types this platform uses. */

export type Transform =
  | { readonly type: 'map'; readonly map: Readonly<Record<string, unknown>> }
  | { readonly type: 'string'; readonly string: { readonly type: 'Format'; readonly fmt: string } }
  | { readonly type: 'string'; readonly string: { readonly type: 'Convert'; readonly convert: 'ToUpper' | 'ToLower' | 'ToJson' } }
  | { readonly type: 'convert'; readonly convert: { readonly toType: 'string' | 'int' | 'int64' | 'bool' | 'float64' } };

export interface PatchPolicy {
  readonly fromFieldPath?: 'Optional' | 'Required';
}

export type Patch =
  | {
      readonly type: 'FromCompositeFieldPath' | 'ToCompositeFieldPath';
      readonly fromFieldPath: string;
      readonly toFieldPath: string;
      readonly transforms?: readonly Transform[];
      readonly policy?: PatchPolicy;
    }
  | {
      readonly type: 'CombineFromComposite';
      readonly combine: { readonly strategy: 'string'; readonly variables: readonly { readonly fromFieldPath: string }[]; readonly string: { readonly fmt: string } };
      readonly toFieldPath: string;
      readonly transforms?: readonly Transform[];
      readonly policy?: PatchPolicy;
    }
  | { readonly type: 'PatchSet'; readonly patchSetName: string };

export interface ComposedTemplate {
  readonly name: string;
  readonly base: KubeObject | (Record<string, unknown> & { apiVersion: string; kind: string });
  readonly patches?: readonly Patch[];
}

export interface PatchSet {
  readonly name: string;
  readonly patches: readonly Patch[];
}

export const fromXr = (fromFieldPath: string, toFieldPath: string, extra: { transforms?: readonly Transform[]; policy?: PatchPolicy } = {}): Patch => ({
  type: 'FromCompositeFieldPath',
  fromFieldPath,
  toFieldPath,
  ...extra,
});

export const toXr = (fromFieldPath: string, toFieldPath: string): Patch => ({ type: 'ToCompositeFieldPath', fromFieldPath, toFieldPath });

/** A string built from XR fields with a printf format (`%s`, `%.0f`: XR numbers arrive as float64); skipped while any variable is missing. */
export const combine = (variables: readonly string[], fmt: string, toFieldPath: string): Patch => ({
  type: 'CombineFromComposite',
  combine: { strategy: 'string', variables: variables.map((fromFieldPath) => ({ fromFieldPath })), string: { fmt } },
  toFieldPath,
});

export const usePatchSet = (patchSetName: string): Patch => ({ type: 'PatchSet', patchSetName });

/** Every AWS managed resource: management policies from the XR's deletionPolicy (Delete, or Orphan in prod). */
export const MANAGEMENT = 'management';
/** Regional AWS managed resources (not IAM, which is global): the XR's region. */
export const REGIONAL = 'regional';
/** AWS resources that take tags (TAGGABLE_KINDS): the namespace of the XR, i.e. the environment, as a tag. */
export const TAGGED = 'tagged';

/**
 * The kinds used here whose provider CRD has `spec.forProvider.tags` (a test checks the list against the CRDs).
 * The provider adds crossplane-kind, crossplane-name and crossplane-providerconfig tags itself.
 */
export const TAGGABLE_KINDS: ReadonlySet<string> = new Set(['Addon', 'Key', 'PodIdentityAssociation', 'Repository', 'Role']);
/** Tags on every taggable AWS resource, for cost allocation and audits: what owns it and how it is managed. */
export const AWS_TAGS: Readonly<Record<string, string>> = {
  [`${PLATFORM_API_GROUP}/managed-by`]: 'crossplane',
  [`${PLATFORM_API_GROUP}/part-of`]: PART_OF,
};
export const NAMESPACE_TAG = `${PLATFORM_API_GROUP}/namespace`;

export const awsPatchSets: readonly PatchSet[] = [
  {
    name: MANAGEMENT,
    patches: [fromXr('spec.deletionPolicy', 'spec.managementPolicies', { transforms: [{ type: 'map', map: { ...managementPoliciesByDeletionPolicy } }] })],
  },
  { name: REGIONAL, patches: [fromXr('spec.region', 'spec.forProvider.region')] },
  { name: TAGGED, patches: [fromXr('metadata.namespace', `spec.forProvider.tags[${NAMESPACE_TAG}]`)] },
];

/** Labels of a composed resource: its role, so Usage objects and selectors can find it among its siblings. */
export function roleLabels(role: string): Record<string, string> {
  return { [RESOURCE_ROLE_LABEL]: role };
}

/**
 * The base of an AWS managed resource: the environment's namespaced ProviderConfig, a role label, AWS_TAGS on a
 * taggable kind (use the TAGGED patch set with it) and, when the AWS name is fixed, the external name (Crossplane
 * then observes an existing resource before creating one).
 */
export function awsBase(
  apiVersion: string,
  kind: string,
  role: string,
  spec: { readonly forProvider: Record<string, unknown> } & Record<string, unknown>,
  externalName?: string,
): ComposedTemplate['base'] {
  const forProvider = TAGGABLE_KINDS.has(kind) ? { ...spec.forProvider, tags: { ...AWS_TAGS } } : spec.forProvider;
  return {
    apiVersion,
    kind,
    metadata: { labels: roleLabels(role), ...(externalName ? { annotations: { 'crossplane.io/external-name': externalName } } : {}) },
    spec: { providerConfigRef: { kind: 'ProviderConfig', name: PROVIDER_CONFIG_NAME }, ...spec, forProvider },
  };
}

/** A selector of the sibling composed resource with the given role. */
export function siblingSelector(role: string): Record<string, unknown> {
  return { matchControllerRef: true, matchLabels: roleLabels(role) };
}

interface Ref {
  readonly apiVersion: string;
  readonly kind: string;
  readonly role: string;
}

/**
 * A namespaced Usage: Crossplane refuses to delete `of` while `by` exists, so teardown runs in dependency order
 * (and `replayDeletion` retries the blocked deletion as soon as `by` is gone).
 */
export function usage(name: string, of: Ref, by: Ref, reason: string): ComposedTemplate {
  return {
    name,
    base: {
      apiVersion: 'protection.crossplane.io/v1beta1',
      kind: 'Usage',
      metadata: { labels: roleLabels(name), annotations: { 'platform.example.org/reason': reason } },
      spec: {
        of: { apiVersion: of.apiVersion, kind: of.kind, resourceSelector: siblingSelector(of.role) },
        by: { apiVersion: by.apiVersion, kind: by.kind, resourceSelector: siblingSelector(by.role) },
        replayDeletion: true,
      },
    },
  };
}

/** A Pipeline-mode Composition: patch-and-transform renders the resources, auto-ready derives readiness. */
export function pipelineComposition(names: XrKindNames, patchSets: readonly PatchSet[], resources: readonly ComposedTemplate[]): KubeObject {
  return {
    apiVersion: 'apiextensions.crossplane.io/v1',
    kind: 'Composition',
    metadata: {
      name: names.composition,
      annotations: argoAnnotations('compositions'),
      labels: { ...standardLabels({ name: names.singular, component: 'platform-api-composition' }), [`${names.singular}.platform.example.org/provider`]: 'aws' },
    },
    spec: {
      compositeTypeRef: { apiVersion: PLATFORM_API, kind: names.kind },
      mode: 'Pipeline',
      pipeline: [
        {
          step: 'patch-and-transform',
          functionRef: { name: FUNCTION_PATCH_AND_TRANSFORM.name },
          input: { apiVersion: 'pt.fn.crossplane.io/v1beta1', kind: 'Resources', patchSets, resources },
        },
        { step: 'automatically-detect-ready-composed-resources', functionRef: { name: FUNCTION_AUTO_READY.name } },
      ],
    },
  };
}
