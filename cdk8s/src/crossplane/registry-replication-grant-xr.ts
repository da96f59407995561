import type { Construct } from 'constructs';
import { REGISTRY_REPLICATION_GRANT } from './api';
import { CompositeResource, type CompositeResourceProps } from './xr/composite-resource';
import { registryReplicationGrantFields, type RegistryReplicationGrantSpec } from './xr/registry-replication-grant-fields';

export type RegistryReplicationGrantXrProps = CompositeResourceProps<RegistryReplicationGrantSpec>;

/**
 * A `RegistryReplicationGrant` XR: the registry policy of one ECR registry (one per registry) letting exactly one
 * source account replicate into named repositories, and the promote workflow's read-only check role.
 * Fields: `registryReplicationGrantFields` (docs/crossplane.md).
 */
export class RegistryReplicationGrantXr extends CompositeResource<RegistryReplicationGrantSpec> {
  constructor(scope: Construct, id: string, props: RegistryReplicationGrantXrProps) {
    super(scope, id, REGISTRY_REPLICATION_GRANT, registryReplicationGrantFields, props, 'registryReplication');
  }
}
