/**
 * The argocd-cm health scripts, as the real kustomize renders the bootstrap, run in Argo CD's Lua host against
 * Crossplane objects in every state Crossplane v2.3 reports, built with Crossplane's own condition code
 * (engines/crossplane xp-states). Normal start-up must never fail a sync (Degraded fails a multi-wave sync); a real
 * failure must be Degraded and carry Crossplane's message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { argocdConfigMap, ARGOCD_MODULE, buildBootstrap } from './bootstrap';
import type { Engines } from './ensure';
import type { KubeObject } from './kube-api';
import { runTool } from './run-tool';
import { engines as loadEngines, repoRoot } from './testing/engine-context';

jest.setTimeout(120_000);

interface Sample {
  kind: string;
  state: string;
  expect: 'progress' | 'healthy' | 'degraded' | 'suspended';
  object: KubeObject;
}

interface Health {
  status: string;
  message: string;
  script: string;
  error?: string;
}

const EXPECTED: Record<Sample['expect'], string> = {
  progress: 'Progressing',
  healthy: 'Healthy',
  degraded: 'Degraded',
  suspended: 'Suspended',
};

describe("argocd-cm health scripts in Argo CD's Lua host", () => {
  let e: Engines;
  let dir: string;
  let cmPath: string;

  async function health(objects: readonly KubeObject[]): Promise<Health[]> {
    const builtin = join(e.modules[ARGOCD_MODULE]!, 'resource_customizations');
    const out = await runTool(
      e.bins['argocd-health'],
      ['--argocd-cm', cmPath, '--builtin-dir', builtin],
      JSON.stringify(objects),
    );
    return JSON.parse(out) as Health[];
  }

  beforeAll(async () => {
    e = await loadEngines();
    dir = mkdtempSync(join(tmpdir(), 'platform-health-'));
    cmPath = join(dir, 'argocd-cm.yaml');
    writeFileSync(cmPath, stringify(argocdConfigMap(await buildBootstrap(e, repoRoot()))));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps every Crossplane state to the health a sync needs', async () => {
    const samples = JSON.parse(await runTool(e.bins['xp-states'], [])) as Sample[];
    expect(samples.length).toBeGreaterThan(20);
    const results = await health(samples.map((s) => s.object));
    const wrong = samples
      .map((s, i) => ({ s, h: results[i]! }))
      .filter(
        ({ s, h }) => h.error !== undefined || h.status !== EXPECTED[s.expect] || !h.script.startsWith('argocd-cm:'),
      )
      .map(
        ({ s, h }) =>
          `${s.kind} ${s.state}: expected ${EXPECTED[s.expect]}, got ${h.status || '(none)'} ${h.error ?? ''} [${h.script}] ${h.message}`,
      );
    expect(wrong).toEqual([]);
  });

  it("shows a real failure as Degraded with Crossplane's condition message", async () => {
    const samples = (JSON.parse(await runTool(e.bins['xp-states'], [])) as Sample[]).filter(
      (s) => s.expect === 'degraded',
    );
    const results = await health(samples.map((s) => s.object));
    for (const [i, s] of samples.entries()) {
      const conditions = (s.object.status as { conditions: { status: string; message?: string }[] }).conditions;
      const failing = conditions.find((c) => c.status === 'False' && c.message !== undefined);
      expect(results[i]!.message).toContain(failing!.message);
    }
  });

  it("passes an Application's own health through (the app of apps waits for each child)", async () => {
    const app = (status?: unknown): KubeObject => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'env-dev' },
      ...(status === undefined ? {} : { status }),
    });
    const [none, degraded, healthy] = await health([
      app(),
      app({ health: { status: 'Degraded', message: 'Deployment metrics-app exceeded its progress deadline' } }),
      app({ health: { status: 'Healthy' } }),
    ]);
    expect(none).toMatchObject({ status: 'Progressing' });
    expect(degraded).toMatchObject({
      status: 'Degraded',
      message: 'Deployment metrics-app exceeded its progress deadline',
    });
    expect(healthy).toMatchObject({ status: 'Healthy' });
  });
});
