/**
 * `platform status` (the built CLI) against the real API server: the Argo CD Application CRD from the pinned release,
 * the repository's Applications as argocd/apps renders them, and status patched the way Argo CD's controller writes
 * it. Output, exit codes and --timeout must hold.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARGOCD_MODULE } from './bootstrap';
import type { KubeApi, KubeObject } from './kube-api';
import { LocalCluster } from './local-cluster';
import { loadYaml, loadYamlDir } from './sync-order';
import { engines, installCrds, repoRoot } from './testing/engine-context';
import { builtCli, runBuiltCli } from '../testing/run-cli';

jest.setTimeout(120_000);

const OLD = '1111111111111111111111111111111111111111';
const NEW = '2222222222222222222222222222222222222222';

describe('platform status against the real API server', () => {
  let cluster: LocalCluster;
  let api: KubeApi;
  let dir: string;
  let kubeconfig: string;
  let apps: KubeObject[];

  const status = (args: string[], timeoutMs = 60_000) =>
    runBuiltCli(['status', ...args], { env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig }, timeoutMs });

  /** Writes an Application's status as Argo CD's controller does (the CRD has no status subresource). */
  async function argoWrites(
    env: string,
    sync: string,
    health: string,
    revision: string,
    operation?: { phase: string; message: string; revision: string },
  ) {
    const app = apps.find(
      (a) =>
        (a.metadata.labels as Record<string, string> | undefined)?.['platform.example.org/environment'] === env &&
        a.metadata.name === `env-${env}`,
    );
    if (app === undefined) throw new Error(`argocd/apps renders no Application env-${env}`);
    await api.mergePatch(app, {
      status: {
        sync: { status: sync, revision },
        health: { status: health },
        operationState:
          operation === undefined
            ? null
            : {
                phase: operation.phase,
                message: operation.message,
                startedAt: '2026-01-01T00:00:00Z',
                operation: { sync: { revision: operation.revision } },
                syncResult: { revision: operation.revision },
              },
      },
    });
  }

  beforeAll(async () => {
    const e = await engines();
    dir = mkdtempSync(join(tmpdir(), 'platform-status-'));
    kubeconfig = join(dir, 'kubeconfig');
    cluster = await LocalCluster.start({ etcd: e.bins.etcd, kubeApiserver: e.bins['kube-apiserver'] });
    cluster.writeKubeconfig(kubeconfig);
    api = cluster.api();
    const crds = loadYaml(
      readFileSync(join(e.modules[ARGOCD_MODULE]!, 'manifests', 'crds', 'application-crd.yaml'), 'utf8'),
    );
    await installCrds(api, [
      ...crds,
      ...loadYaml(readFileSync(join(e.modules[ARGOCD_MODULE]!, 'manifests', 'crds', 'appproject-crd.yaml'), 'utf8')),
    ]);
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } });
    apps = loadYamlDir(join(repoRoot(), 'argocd', 'apps')).filter(
      (o) => o.kind === 'Application' || o.kind === 'AppProject',
    );
    for (const a of apps) await api.apply(a);
    apps = apps.filter((a) => a.kind === 'Application');
  });

  afterAll(async () => {
    await cluster?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('prints every environment, Unknown before Argo CD reported anything', async () => {
    const r = await status([]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rows = r.out.trim().split('\n');
    expect(rows[0]).toMatch(/^ENV\s+APPLICATION\s+SYNC\s+HEALTH\s+REVISION/);
    expect(rows.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).toEqual(
      expect.arrayContaining([['dev', 'env-dev', 'Unknown', 'Unknown']]),
    );
  });

  it('shows what Argo CD wrote, for one environment', async () => {
    await argoWrites('dev', 'Synced', 'Healthy', OLD);
    const r = await status(['--env', 'dev']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/dev\s+env-dev\s+Synced\s+Healthy\s+111111111111/);
    expect(r.out).not.toContain('env-prod');
  });

  it('--wait returns 0 once the revision is Synced and Healthy', async () => {
    await argoWrites('dev', 'OutOfSync', 'Healthy', OLD);
    // The built CLI, its stderr read as it comes: Argo CD's writes follow the CLI's first poll.
    const child = spawn(
      process.execPath,
      [
        builtCli(),
        'status',
        '--env',
        'dev',
        '--wait',
        '--revision',
        NEW.slice(0, 7),
        '--timeout',
        '30',
        '--interval',
        '0.2',
      ],
      {
        env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const waiting = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('waiting for 2222222')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await Promise.race([waiting, exited]);
    await argoWrites('dev', 'Synced', 'Progressing', NEW, { phase: 'Running', message: 'syncing', revision: NEW });
    await new Promise((r) => setTimeout(r, 500));
    expect(child.exitCode).toBeNull(); // still waiting: Progressing is not Healthy
    await argoWrites('dev', 'Synced', 'Healthy', NEW, {
      phase: 'Succeeded',
      message: 'successfully synced',
      revision: NEW,
    });
    const code = await exited;
    clearTimeout(killer);
    expect(err).toContain('waiting for 2222222');
    expect(code).toBe(0);
    expect(out).toMatch(/env-dev\s+Synced\s+Healthy\s+222222222222/);
  });

  it('--wait fails at once when the sync of that revision failed', async () => {
    await argoWrites('staging', 'OutOfSync', 'Degraded', OLD, {
      phase: 'Failed',
      message: 'one or more objects failed to apply',
      revision: NEW,
    });
    const r = await status(['--env', 'staging', '--wait', '--revision', NEW, '--timeout', '30', '--interval', '0.2']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`env-staging: the sync of ${NEW} failed: Failed: one or more objects failed to apply`);
  });

  it('--wait gives up after --timeout with the last state', async () => {
    await argoWrites('prod', 'OutOfSync', 'Healthy', OLD);
    const started = Date.now();
    const r = await status(['--env', 'prod', '--wait', '--revision', NEW, '--timeout', '2', '--interval', '0.2']);
    const elapsed = Date.now() - started;
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /timed out after 2 s waiting for env-prod to run 2{40} Synced and Healthy; last seen: sync OutOfSync, health Healthy, revision 1{40}/,
    );
    expect(elapsed).toBeLessThan(15_000);
  });

  it('names a missing environment', async () => {
    const r = await status(['--env', 'qa']);
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/qa/);
  });
});
