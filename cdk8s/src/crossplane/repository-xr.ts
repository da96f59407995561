import type { Construct } from 'constructs';
import { REPOSITORY } from './api';
import { CompositeResource, type CompositeResourceProps } from './xr/composite-resource';
import { repositoryFields, type RepositorySpec } from './xr/repository-fields';

export type RepositoryXrProps = CompositeResourceProps<RepositorySpec>;

/**
 * A `Repository` XR: an ECR repository (immutable tags, scan on push, KMS, lifecycle policy) and the IAM role
 * GitHub Actions assumes to push to it. Fields: `repositoryFields` (docs/crossplane.md).
 */
export class RepositoryXr extends CompositeResource<RepositorySpec> {
  constructor(scope: Construct, id: string, props: RepositoryXrProps) {
    super(scope, id, REPOSITORY, repositoryFields, props);
  }
}
