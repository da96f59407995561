import type { Construct } from 'constructs';
import { CLUSTER_ADDONS } from './api';
import { clusterAddonsFields, type ClusterAddonsSpec } from './xr/cluster-addons-fields';
import { CompositeResource, type CompositeResourceProps } from './xr/composite-resource';

export type ClusterAddonsXrProps = CompositeResourceProps<ClusterAddonsSpec>;

/** A `ClusterAddons` XR: the EKS managed add-ons of an existing cluster. Fields: `clusterAddonsFields`. */
export class ClusterAddonsXr extends CompositeResource<ClusterAddonsSpec> {
  constructor(scope: Construct, id: string, props: ClusterAddonsXrProps) {
    super(scope, id, CLUSTER_ADDONS, clusterAddonsFields, props);
  }
}
