import { ApiObject, JsonPatch } from 'cdk8s';
import { Quantity } from 'cdk8s-plus-34/lib/imports/k8s';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';

/** Requests and limits exactly as written in the environment file (Kubernetes quantities). */
export type ResourceRequirements = EnvironmentConfig['app']['resources'];

/**
 * Sets a container's requests and limits to the quantities of the environment file, byte for byte.
 * cdk8s-plus only takes its own `Cpu`/`Size` types (which cannot express every quantity, e.g. `0.5Gi`), and would
 * otherwise apply its own defaults.
 */
export function setContainerResources(
  workload: Construct,
  containerIndex: number,
  resources: ResourceRequirements,
): void {
  // Quantity objects, not strings: the imported k8s classes map the patched JSON through their typed serializers.
  // Keys in sorted order (cpu, memory), like the rest of the object.
  const limits: Record<string, Quantity> = {};
  if (resources.limits.cpu !== undefined) limits.cpu = Quantity.fromString(resources.limits.cpu);
  limits.memory = Quantity.fromString(resources.limits.memory);
  ApiObject.of(workload).addJsonPatch(
    JsonPatch.add(`/spec/template/spec/containers/${containerIndex}/resources`, {
      limits,
      requests: {
        cpu: Quantity.fromString(resources.requests.cpu),
        memory: Quantity.fromString(resources.requests.memory),
      },
    }),
  );
}

/** Removes the `cdk8s.io/metadata.addr` pod label cdk8s-plus adds: pods are selected by the standard labels. */
export function removeAddressLabel(workload: Construct): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
}
