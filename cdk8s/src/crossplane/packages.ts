import { labelValue, standardLabels } from '../constructs/labels';
import { PROVIDER_CONFIG_NAME } from './api';
import { argoAnnotations } from '../sync-waves';
import type { KubeObject } from './xrd';
import { pinnedModuleVersion } from './engine-pins';

/**
 * Crossplane packages, pinned by version. The provider versions match the CRDs the offline checks validate against
 * (provider-upjet-aws v2.6.0). Each function's version is the one engines/functions/<name>/go.mod pins, so the
 * function the cluster runs is the one the engine suite judges the Compositions with.
 * Not by digest yet: Crossplane accepts `<package>@sha256:<digest>`, but no package registry is reachable where
 * this is built to resolve and check one (docs/gitops.md, "What is pinned by digest").
 */
export const PACKAGE_REGISTRY = 'xpkg.crossplane.io/crossplane-contrib';
export const PROVIDER_AWS_VERSION = 'v2.6.0';

export interface PackagePin {
  /** metadata.name of the Provider or Function object (Compositions refer to Functions by it). */
  readonly name: string;
  readonly package: string;
}

/** The provider-upjet-aws family members the Compositions use (provider-family-aws comes in as their dependency). */
export const PROVIDERS: readonly PackagePin[] = ['ecr', 'eks', 'iam', 'kms'].map((service) => ({
  name: `provider-aws-${service}`,
  package: `${PACKAGE_REGISTRY}/provider-aws-${service}:${PROVIDER_AWS_VERSION}`,
}));

export const FUNCTION_PATCH_AND_TRANSFORM: PackagePin = {
  name: 'function-patch-and-transform',
  package: `${PACKAGE_REGISTRY}/function-patch-and-transform:${pinnedModuleVersion('functions/patch-and-transform', 'github.com/crossplane-contrib/function-patch-and-transform')}`,
};
export const FUNCTION_AUTO_READY: PackagePin = {
  name: 'function-auto-ready',
  package: `${PACKAGE_REGISTRY}/function-auto-ready:${pinnedModuleVersion('functions/auto-ready', 'github.com/crossplane-contrib/function-auto-ready')}`,
};
export const FUNCTIONS: readonly PackagePin[] = [FUNCTION_PATCH_AND_TRANSFORM, FUNCTION_AUTO_READY];

/** Runtime config of the AWS providers: its service account is the one the Pod Identity association names. */
export const PROVIDER_RUNTIME_CONFIG = 'provider-aws';
/** The Kubernetes service account of every AWS provider pod (crossplane-system/provider-aws). */
export const PROVIDER_SERVICE_ACCOUNT = 'provider-aws';
/** Runtime config of the functions: same hardening, no cloud identity. */
export const FUNCTION_RUNTIME_CONFIG = 'function-runtime';

/** The AWS provider family: `app.kubernetes.io/name` of the objects that configure all its members. */
const AWS_PROVIDER_FAMILY = 'provider-aws';

function pkg(kind: 'Provider' | 'Function', pin: PackagePin, runtimeConfig: string): KubeObject {
  const labels = standardLabels({
    name: pin.name,
    version: labelValue(pin.package.slice(pin.package.lastIndexOf(':') + 1)),
    component: kind === 'Provider' ? 'crossplane-provider' : 'crossplane-function',
  });
  return {
    apiVersion: 'pkg.crossplane.io/v1',
    kind,
    metadata: { name: pin.name, labels, annotations: argoAnnotations('packages') },
    spec: {
      package: pin.package,
      packagePullPolicy: 'IfNotPresent',
      revisionActivationPolicy: 'Automatic',
      revisionHistoryLimit: 1,
      runtimeConfigRef: { apiVersion: 'pkg.crossplane.io/v1beta1', kind: 'DeploymentRuntimeConfig', name: runtimeConfig },
    },
  };
}

export function providers(): KubeObject[] {
  return PROVIDERS.map((p) => pkg('Provider', p, PROVIDER_RUNTIME_CONFIG));
}

export function functions(): KubeObject[] {
  return FUNCTIONS.map((f) => pkg('Function', f, FUNCTION_RUNTIME_CONFIG));
}

/**
 * Hardened pod settings merged by Crossplane into each package's Deployment (container `package-runtime`):
 * non-root, read-only root filesystem with a small /tmp, no privilege escalation, no capabilities, seccomp.
 */
function runtimeConfig(name: string, serviceAccount: string | undefined): KubeObject {
  return {
    apiVersion: 'pkg.crossplane.io/v1beta1',
    kind: 'DeploymentRuntimeConfig',
    metadata: { name, labels: standardLabels({ name, component: 'crossplane-runtime-config' }), annotations: argoAnnotations('runtimeConfig') },
    spec: {
      ...(serviceAccount ? { serviceAccountTemplate: { metadata: { name: serviceAccount } } } : {}),
      deploymentTemplate: {
        spec: {
          selector: {},
          template: {
            spec: {
              automountServiceAccountToken: serviceAccount !== undefined,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 2000,
                runAsGroup: 2000,
                fsGroup: 2000,
                seccompProfile: { type: 'RuntimeDefault' },
              },
              containers: [
                {
                  name: 'package-runtime',
                  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                  },
                  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                },
              ],
              volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '512Mi' } }],
            },
          },
        },
      },
    },
  };
}

export function runtimeConfigs(): KubeObject[] {
  return [runtimeConfig(PROVIDER_RUNTIME_CONFIG, PROVIDER_SERVICE_ACCOUNT), runtimeConfig(FUNCTION_RUNTIME_CONFIG, undefined)];
}

/**
 * The namespaced ProviderConfig of one environment namespace: EKS Pod Identity credentials of the provider pods'
 * service account (no static keys anywhere). Composed managed resources in that namespace refer to it by name.
 * `envName`, when given, makes its `app.kubernetes.io/instance` (`provider-aws-<env>`).
 */
export function providerConfig(namespace: string, envName?: string): KubeObject {
  const labels = standardLabels({
    name: AWS_PROVIDER_FAMILY,
    instance: envName === undefined ? undefined : labelValue(`${AWS_PROVIDER_FAMILY}-${envName}`),
    component: 'crossplane-provider-config',
  });
  return {
    apiVersion: 'aws.m.upbound.io/v1beta1',
    kind: 'ProviderConfig',
    metadata: { name: PROVIDER_CONFIG_NAME, namespace, labels, annotations: argoAnnotations('providerConfig') },
    spec: { credentials: { source: 'PodIdentity' } },
  };
}
