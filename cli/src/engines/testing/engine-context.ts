import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot, resolveSchemasDir } from '../../validate';
import { ensureEngines, type Engines } from '../ensure';
import { KubeError, type KubeApi, type KubeObject } from '../kube-api';
import { loadYaml, loadYamlDir } from '../sync-order';
import { readFileSync } from 'node:fs';

export const CROSSPLANE_MODULE = 'github.com/crossplane/crossplane/v2';

export function repoRoot(): string {
  const root = findRepoRoot(__dirname);
  if (root === undefined) throw new Error('engine tests run inside the repository');
  return root;
}

let cached: Promise<Engines> | undefined;

/** The built engines (`platform engines ensure` has built them before jest starts; this only looks them up). */
export function engines(): Promise<Engines> {
  cached ??= ensureEngines({ repoRoot: repoRoot(), log: () => undefined });
  return cached;
}

/** The environments rendered into dist/. */
export function environments(): string[] {
  return readdirSync(join(repoRoot(), 'dist'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Crossplane's CRDs, from the pinned core module. */
export function crossplaneCrds(e: Engines): KubeObject[] {
  const dir = e.modules[CROSSPLANE_MODULE];
  if (dir === undefined) throw new Error(`engines: ${CROSSPLANE_MODULE} was not downloaded`);
  return loadYamlDir(join(dir, 'cluster', 'crds'));
}

/**
 * The provider-upjet-aws CRDs (ECR, EKS, IAM, KMS and the ProviderConfigs) from the pinned schema set: the provider
 * is not published as a Go module, so these come from the checksummed schema pins (cli/src/schemas/manifest.ts).
 */
export function providerCrds(): KubeObject[] {
  const dir = join(resolveSchemasDir({ repoRoot: repoRoot() }), 'crds');
  return readdirSync(dir)
    .filter((f) => /\.upbound\.io_.*\.yaml$/.test(f))
    .sort()
    .flatMap((f) => loadYaml(readFileSync(join(dir, f), 'utf8')));
}

/** Waits (bounded) until each CRD is Established, then forgets discovery so its kinds resolve. */
export async function waitEstablished(api: KubeApi, crds: readonly KubeObject[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    for (let attempt = 0; ; attempt++) {
      const got = await api.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', String(crd.metadata.name));
      const conds = (got.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
      if (conds.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${String(crd.metadata.name)} was not Established within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, Math.min(50 * (attempt + 1), 500)));
    }
  }
  api.forgetDiscovery();
}

/** Applies CRDs and waits for them. */
export async function installCrds(api: KubeApi, crds: readonly KubeObject[]): Promise<void> {
  for (const crd of crds) await api.apply(crd);
  await waitEstablished(api, crds);
}

/** The message of an API error, or rethrows anything else. */
export function kubeMessage(err: unknown): string {
  if (err instanceof KubeError) return err.message;
  throw err;
}
