import { CLUSTER_ADDONS, PLATFORM_API_GROUP, PLATFORM_API_VERSION, REGISTRY_REPLICATION, REGISTRY_REPLICATION_GRANT, REPOSITORY, type XrKindNames } from './api';
import { standardLabels } from '../constructs/labels';
import { argoAnnotations } from '../sync-waves';
import { clusterAddonsFields, clusterAddonsStatusFields } from './xr/cluster-addons-fields';
import { objectSchema, type Fields } from './xr/fields';
import { registryReplicationFields, registryReplicationStatusFields } from './xr/registry-replication-fields';
import { registryReplicationGrantFields, registryReplicationGrantStatusFields } from './xr/registry-replication-grant-fields';
import { repositoryFields, repositoryStatusFields } from './xr/repository-fields';

export type KubeObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; [k: string]: unknown } };

interface PrinterColumn {
  readonly name: string;
  readonly jsonPath: string;
  readonly type?: string;
}

interface XrdOptions {
  readonly names: XrKindNames;
  readonly description: string;
  readonly spec: Fields;
  readonly status: Fields;
  readonly printerColumns: readonly PrinterColumn[];
}

/** A Crossplane v2 namespaced CompositeResourceDefinition whose schema is generated from the XR's field tree. */
function xrd(o: XrdOptions): KubeObject {
  return {
    apiVersion: 'apiextensions.crossplane.io/v2',
    kind: 'CompositeResourceDefinition',
    metadata: {
      name: `${o.names.plural}.${PLATFORM_API_GROUP}`,
      labels: standardLabels({ name: o.names.singular, component: 'platform-api-definition' }),
      annotations: argoAnnotations('definitions'),
    },
    spec: {
      group: PLATFORM_API_GROUP,
      names: { kind: o.names.kind, plural: o.names.plural, singular: o.names.singular, categories: ['crossplane', 'platform'] },
      scope: 'Namespaced',
      defaultCompositionRef: { name: o.names.composition },
      versions: [
        {
          name: PLATFORM_API_VERSION,
          served: true,
          referenceable: true,
          additionalPrinterColumns: o.printerColumns.map((c) => ({ name: c.name, type: c.type ?? 'string', jsonPath: c.jsonPath })),
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: o.description,
              properties: {
                spec: objectSchema(o.spec, `Desired state of the ${o.names.kind}.`),
                status: objectSchema(o.status, `Observed state of the ${o.names.kind}, written by its Composition.`),
              },
              required: ['spec'],
            },
          },
        },
      ],
    },
  };
}

export function repositoryXrd(): KubeObject {
  return xrd({
    names: REPOSITORY,
    description:
      'An ECR repository (immutable tags, scan on push, KMS encryption, lifecycle policy) and the IAM role GitHub Actions assumes by OIDC to push to it.',
    spec: repositoryFields,
    status: repositoryStatusFields,
    printerColumns: [
      { name: 'REPOSITORY', jsonPath: '.spec.repositoryName' },
      { name: 'URL', jsonPath: '.status.repositoryUrl' },
    ],
  });
}

export function clusterAddonsXrd(): KubeObject {
  return xrd({
    names: CLUSTER_ADDONS,
    description: 'The EKS managed add-ons of an existing cluster, with the IAM role and Pod Identity association of the EBS CSI driver.',
    spec: clusterAddonsFields,
    status: clusterAddonsStatusFields,
    printerColumns: [{ name: 'CLUSTER', jsonPath: '.spec.clusterName' }],
  });
}

export function registryReplicationXrd(): KubeObject {
  return xrd({
    names: REGISTRY_REPLICATION,
    description:
      "The replication configuration of one ECR registry (one per account and region): every image pushed to the platform's repositories is replicated to the destination registries.",
    spec: registryReplicationFields,
    status: registryReplicationStatusFields,
    printerColumns: [{ name: 'ACCOUNT', jsonPath: '.spec.awsAccountId' }],
  });
}

export function registryReplicationGrantXrd(): KubeObject {
  return xrd({
    names: REGISTRY_REPLICATION_GRANT,
    description:
      'The registry policy of one ECR registry (one per account and region) letting exactly one source account replicate into the named repositories, and the read-only role that checks an image has arrived.',
    spec: registryReplicationGrantFields,
    status: registryReplicationGrantStatusFields,
    printerColumns: [{ name: 'SOURCE', jsonPath: '.spec.sourceAccountId' }],
  });
}
