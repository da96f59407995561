import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadEnvironments } from '@metrics-platform/cdk8s/lib/config';
import { renderArgoApps } from '@metrics-platform/cdk8s/lib/argocd';
import { SchemaRegistry, resolveSchemasDir } from '../validate';
import { REPO_ROOT } from '../testing/git-fixture';

/** Offline check of everything under argocd/ against the pinned Argo CD v3.5.1 and Kubernetes 1.34 schemas. */
const registry = SchemaRegistry.load(resolveSchemasDir({ repoRoot: REPO_ROOT }));
const rendered = renderArgoApps(loadEnvironments(REPO_ROOT));

function problemsOf(text: string): unknown[] {
  const obj = parse(text) as { apiVersion: string; kind: string; metadata: { name: string } };
  return registry.validate(obj).filter((p) => p.severity !== 'warning');
}

describe('argocd/ against the upstream schemas', () => {
  it.each([...rendered.keys()].filter((f) => f !== 'kustomization.yaml'))(
    'generated %s is a valid Argo CD object',
    (file) => {
      expect(problemsOf(rendered.get(file)!)).toEqual([]);
    },
  );

  it.each(['namespace.yaml', 'argocd-cm.yaml'])('bootstrap %s is a valid Kubernetes object', (file) => {
    expect(problemsOf(readFileSync(join(REPO_ROOT, 'argocd/bootstrap', file), 'utf8'))).toEqual([]);
  });

  it('catches an invalid Application (the check is not vacuous)', () => {
    const bad = parse(rendered.get('application-env-dev.yaml')!) as {
      spec: { syncPolicy: { retry: { limit: unknown } } };
    };
    bad.spec.syncPolicy.retry.limit = 'ten';
    expect(registry.validate(bad).length).toBeGreaterThan(0);
  });

  it('has argocd/apps committed exactly as environments/*.yaml render it', () => {
    const dir = join(REPO_ROOT, 'argocd/apps');
    const committed = new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    expect(committed).toEqual(rendered);
  });
});
