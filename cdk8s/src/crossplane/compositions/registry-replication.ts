import { REGISTRY_REPLICATION } from '../api';
import type { KubeObject } from '../xrd';
import { MANAGEMENT, REGIONAL, awsBase, awsPatchSets, fromXr, pipelineComposition, toXr, usePatchSet } from './pipeline';

const ECR = 'ecr.aws.m.upbound.io/v1beta1';

/**
 * The composed resource's fixed name. A registry has one replication configuration: a second XR in the namespace
 * composing one would collide on this name, and Crossplane refuses to take over a resource another XR controls, so
 * two XRs can never overwrite each other's configuration (environments in one registry are refused by the loader).
 */
export const REPLICATION_CONFIGURATION_NAME = 'registry-replication';

/** The Composition of the `RegistryReplication` XR: one ECR replication configuration with one rule. */
export function registryReplicationComposition(): KubeObject {
  const base = awsBase(ECR, 'ReplicationConfiguration', 'replication-configuration', {
    forProvider: { replicationConfiguration: { rule: [{}] } },
  });
  return pipelineComposition(REGISTRY_REPLICATION, awsPatchSets, [
    {
      name: 'replication-configuration',
      base: { ...base, metadata: { ...(base.metadata as Record<string, unknown>), name: REPLICATION_CONFIGURATION_NAME } },
      patches: [
        usePatchSet(MANAGEMENT),
        usePatchSet(REGIONAL),
        fromXr('spec.destinations', 'spec.forProvider.replicationConfiguration.rule[0].destination'),
        fromXr('spec.repositoryFilters', 'spec.forProvider.replicationConfiguration.rule[0].repositoryFilter'),
        toXr('status.atProvider.registryId', 'status.registryId'),
      ],
    },
  ]);
}
