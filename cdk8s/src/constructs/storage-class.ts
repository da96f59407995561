import { KubeStorageClass } from 'cdk8s-plus-34/lib/imports/k8s';
import { Construct } from 'constructs';

export interface Gp3StorageClassProps {
  /** StorageClass name (`graphite.storageClassName`). */
  readonly name: string;
  readonly labels: Record<string, string>;
  /**
   * Keep EBS volumes when their claim is deleted.
   * @default false
   */
  readonly retainVolumes?: boolean;
}

/**
 * An encrypted EBS gp3 StorageClass for the EBS CSI driver (an EKS add-on of the environment). cdk8s-plus has no
 * StorageClass construct, hence the imported `k8s` object.
 */
export class Gp3StorageClass extends Construct {
  constructor(scope: Construct, id: string, props: Gp3StorageClassProps) {
    super(scope, id);
    new KubeStorageClass(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
      reclaimPolicy: props.retainVolumes === true ? 'Retain' : 'Delete',
      allowVolumeExpansion: true,
      // Create the volume in the zone the pod lands in, not in a random one.
      volumeBindingMode: 'WaitForFirstConsumer',
    });
  }
}
