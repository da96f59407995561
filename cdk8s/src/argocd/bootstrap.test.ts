import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { loadEnvironments } from '../config';
import { renderArgoApps, rootApplication, PLATFORM_REPOSITORY } from './index';

const repoRoot = resolve(__dirname, '../../..');
const bootstrap = resolve(repoRoot, 'argocd/bootstrap');
const text = readFileSync(resolve(bootstrap, 'kustomization.yaml'), 'utf8');
const kustomization = parse(text) as {
  namespace: string;
  resources: string[];
  patches: Array<{ path: string }>;
};

describe('argocd/bootstrap', () => {
  it('installs Argo CD from the upstream manifest pinned by commit, a v3.5 release named beside it', () => {
    const remote = kustomization.resources.filter((r) => r.startsWith('https://'));
    expect(remote).toEqual([expect.stringMatching(/\/argoproj\/argo-cd\/[0-9a-f]{40}\/manifests\/install\.yaml$/)]);
    // The version the engine suite checks against engines/argocd-release/go.mod (cli/src/engines/bootstrap.ts).
    expect(text).toMatch(/\/manifests\/install\.yaml # v3\.5\.\d+$/m);
  });

  it('includes its namespace, the generated apps and the argocd-cm patch, all of which exist', () => {
    expect(kustomization.namespace).toBe('argocd');
    expect(kustomization.resources).toContain('../apps');
    for (const r of kustomization.resources.filter((x) => !x.startsWith('https://'))) {
      expect(existsSync(resolve(bootstrap, r))).toBe(true);
    }
    for (const p of kustomization.patches) expect(existsSync(resolve(bootstrap, p.path))).toBe(true);
  });

  it('is owned afterwards by the root app, which syncs this directory from main', () => {
    const root = rootApplication();
    expect(root.spec.source).toMatchObject({
      repoURL: PLATFORM_REPOSITORY.url,
      targetRevision: PLATFORM_REPOSITORY.mainBranch,
      path: 'argocd/bootstrap',
    });
    expect(root.spec.project).not.toBe('default');
    expect(renderArgoApps(loadEnvironments(repoRoot)).get('application-root.yaml')).toContain('path: argocd/bootstrap');
  });
});
