import type { Construct } from 'constructs';
import { REGISTRY_REPLICATION } from './api';
import { CompositeResource, type CompositeResourceProps } from './xr/composite-resource';
import { registryReplicationFields, type RegistryReplicationSpec } from './xr/registry-replication-fields';

export type RegistryReplicationXrProps = CompositeResourceProps<RegistryReplicationSpec>;

/**
 * A `RegistryReplication` XR: the replication configuration of one ECR registry (one per registry, owned by the
 * environment CI pushes to). Fields: `registryReplicationFields` (docs/crossplane.md).
 */
export class RegistryReplicationXr extends CompositeResource<RegistryReplicationSpec> {
  constructor(scope: Construct, id: string, props: RegistryReplicationXrProps) {
    super(scope, id, REGISTRY_REPLICATION, registryReplicationFields, props, 'registryReplication');
  }
}
