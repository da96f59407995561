import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engines } from './ensure';
import type { KubeObject } from './kube-api';
import { runTool } from './run-tool';
import { loadYaml } from './sync-order';

export const ARGOCD_MODULE = 'github.com/argoproj/argo-cd/v3';

/**
 * The remote install manifest argocd/bootstrap/kustomization.yaml names, pinned by commit, with the Argo CD version
 * of that commit in a comment after it.
 */
const INSTALL_URL =
  /^(\s*-\s*)https:\/\/raw\.githubusercontent\.com\/argoproj\/argo-cd\/[0-9a-f]{40}\/manifests\/install\.yaml\s*#\s*(v\S+)\s*$/m;

/**
 * `kustomize build argocd/bootstrap` with the real kustomize, offline: the install.yaml the kustomization names
 * by URL is read from the pinned Argo CD module instead (which must be the same release).
 */
export async function buildBootstrap(engines: Engines, repoRoot: string): Promise<KubeObject[]> {
  const moduleDir = engines.modules[ARGOCD_MODULE];
  if (moduleDir === undefined) throw new Error(`engines: ${ARGOCD_MODULE} was not downloaded`);
  const pinned = /@(v[^/]+)$/.exec(moduleDir)?.[1];
  const tmp = mkdtempSync(join(tmpdir(), 'platform-bootstrap-'));
  try {
    cpSync(join(repoRoot, 'argocd'), join(tmp, 'argocd'), { recursive: true });
    const kustomization = join(tmp, 'argocd', 'bootstrap', 'kustomization.yaml');
    const text = readFileSync(kustomization, 'utf8');
    const m = INSTALL_URL.exec(text);
    if (m === null) {
      throw new Error(
        'argocd/bootstrap/kustomization.yaml names no Argo CD install.yaml pinned by commit, with its version in a comment',
      );
    }
    if (m[2] !== pinned) {
      throw new Error(
        `argocd/bootstrap installs Argo CD ${m[2]}, but engines/argocd-release pins ${pinned}: move both together`,
      );
    }
    cpSync(join(moduleDir, 'manifests', 'install.yaml'), join(tmp, 'argocd', 'bootstrap', 'upstream-install.yaml'));
    writeFileSync(kustomization, text.replace(INSTALL_URL, `$1upstream-install.yaml`));
    const out = await runTool(engines.bins.kustomize, ['build', join(tmp, 'argocd', 'bootstrap')]);
    return loadYaml(out);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The argocd-cm ConfigMap as the bootstrap renders it (upstream's, with the repository's patch applied). */
export function argocdConfigMap(objects: readonly KubeObject[]): KubeObject {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'argocd-cm');
  if (cm === undefined) throw new Error('the bootstrap renders no argocd-cm ConfigMap');
  return cm;
}

/** Upstream's argocd-cm, as the pinned Argo CD release installs it. */
export function upstreamArgocdConfigMap(engines: Engines): KubeObject {
  const moduleDir = engines.modules[ARGOCD_MODULE];
  if (moduleDir === undefined) throw new Error(`engines: ${ARGOCD_MODULE} was not downloaded`);
  return argocdConfigMap(loadYaml(readFileSync(join(moduleDir, 'manifests', 'install.yaml'), 'utf8')));
}

/** The CRD Crossplane's XRD controller creates for each XRD (engines/crossplane's xrd-crd, crossplane-runtime's code). */
export async function crdsOfXrds(engines: Engines, xrds: readonly KubeObject[]): Promise<KubeObject[]> {
  const out = await runTool(engines.bins['xrd-crd'], [], xrds.map((x) => JSON.stringify(x)).join('\n'));
  return loadYaml(out);
}
