import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeLoaded, runBuiltCli, runCli, withEnv } from '../testing/run-cli';

/**
 * `platform status` against a fake Kubernetes API server on 127.0.0.1 that serves Argo CD Applications, through a
 * temporary kubeconfig. Most cases run the command in-process (`main`, as the binary runs it) with the real client
 * (loaded by Node once per worker: it is an ES module jest cannot load); the cases marked `binary` run the built CLI
 * as a child process end to end (exit code and output).
 */
jest.mock('@kubernetes/client-node', () => nodeLoaded('@kubernetes/client-node'));

const APPS_PATH = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';
const OLD = '1111111111111111111111111111111111111111';
const NEW = '2222222222222222222222222222222222222222';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler;
let server: Server;
let port: number;
let dir: string;
const requests: string[] = [];

function app(
  env: string,
  sync: string,
  health: string,
  revision: string,
  op?: { phase: string; message: string; revision: string },
) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `env-${env}`, namespace: 'argocd', labels: { 'platform.example.org/environment': env } },
    status: {
      sync: { status: sync, revision },
      health: { status: health },
      operationState: op && { phase: op.phase, message: op.message, syncResult: { revision: op.revision } },
    },
  };
}

function serve(items: (url: URL) => unknown[]): Handler {
  return (req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname !== APPS_PATH) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 404 }));
      return;
    }
    const selector = url.searchParams.get('labelSelector') ?? '';
    const wanted = selector.includes('=') ? selector.split('=')[1] : undefined;
    const list = (items(url) as Array<ReturnType<typeof app>>).filter(
      (a) => wanted === undefined || a.metadata.labels['platform.example.org/environment'] === wanted,
    );
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationList', items: list }));
  };
}

function kubeconfig(server: string): string {
  const file = join(dir, `kubeconfig-${requests.length}-${Math.random()}`);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      // plain HTTP on loopback: the client only allows it with TLS verification off
      'clusters: [{ name: fake, cluster: { server: "' + server + '", insecure-skip-tls-verify: true } }]',
      'users: [{ name: tester, user: { token: test-token } }]',
      'contexts: [{ name: fake, context: { cluster: fake, user: tester } }]',
      'current-context: fake',
    ].join('\n'),
  );
  return file;
}

/** `platform status ARGS` in-process, or with `binary` as a child process of the built CLI (nothing inherited). */
async function run(
  args: string[],
  env: Record<string, string | undefined> = {},
  how: 'in-process' | 'binary' = 'in-process',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const vars = { HOME: dir, KUBECONFIG: kubeconfig(`http://127.0.0.1:${port}`), ...env };
  const r =
    how === 'binary'
      ? await runBuiltCli(['status', ...args], { env: { PATH: process.env.PATH, ...vars } })
      : await withEnv({ ...vars, KUBERNETES_SERVICE_HOST: undefined }, () => runCli(['status', ...args]));
  return { code: r.code, stdout: r.out, stderr: r.err };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'status-test-'));
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  requests.length = 0;
});

describe('platform status', () => {
  it('prints sync, health and revision of every environment', async () => {
    handler = serve(() => [
      app('prod', 'OutOfSync', 'Healthy', OLD),
      app('dev', 'Synced', 'Healthy', NEW),
      app('staging', 'Synced', 'Progressing', NEW),
    ]);
    const r = await run([], {}, 'binary');
    expect(r.stderr).toBe(''); // not even a warning of Node's (the client is an ES module loaded with import())
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ENV\s+APPLICATION\s+SYNC\s+HEALTH\s+REVISION/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 5))).toEqual([
      ['dev', 'env-dev', 'Synced', 'Healthy', NEW.slice(0, 12)],
      ['prod', 'env-prod', 'OutOfSync', 'Healthy', OLD.slice(0, 12)],
      ['staging', 'env-staging', 'Synced', 'Progressing', NEW.slice(0, 12)],
    ]);
    expect(requests[0]).toMatch(
      /^GET \/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/applications\?labelSelector=platform\.example\.org%2Fenvironment Bearer test-token$/,
    );
  });

  it('filters one environment', async () => {
    handler = serve(() => [app('dev', 'Synced', 'Healthy', NEW), app('prod', 'Synced', 'Healthy', OLD)]);
    const r = await run(['--env', 'prod']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stdout).toContain('env-prod');
    expect(requests[0]).toContain('labelSelector=platform.example.org%2Fenvironment%3Dprod');
  });

  it('--wait returns once the environment runs the revision synced and healthy', async () => {
    let calls = 0;
    handler = serve(() => {
      calls++;
      if (calls < 2) return [app('dev', 'Synced', 'Healthy', OLD)];
      if (calls < 3) return [app('dev', 'Synced', 'Progressing', NEW)];
      return [app('dev', 'Synced', 'Healthy', NEW)];
    });
    const r = await run([
      '--env',
      'dev',
      '--wait',
      '--revision',
      NEW.slice(0, 7),
      '--timeout',
      '20',
      '--interval',
      '0.1',
    ]);
    expect(r.stderr).toContain('waiting for 2222222');
    expect(r.code).toBe(0);
    expect(calls).toBe(3);
    expect(r.stdout).toMatch(/env-dev\s+Synced\s+Healthy\s+222222222222/);
  });

  it('--wait times out with the last state and a non-zero exit', async () => {
    handler = serve(() => [app('dev', 'OutOfSync', 'Healthy', OLD)]);
    const started = Date.now();
    const r = await run(['--env', 'dev', '--wait', '--revision', NEW, '--timeout', '1', '--interval', '0.2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /timed out after 1 s waiting for env-dev to run 2{40} Synced and Healthy; last seen: sync OutOfSync, health Healthy, revision 1{40}/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('--wait stops early when the sync of that revision failed', async () => {
    handler = serve(() => [
      app('dev', 'OutOfSync', 'Degraded', OLD, {
        phase: 'Failed',
        message: 'one or more objects failed to apply',
        revision: NEW,
      }),
    ]);
    const r = await run(['--env', 'dev', '--wait', '--revision', NEW, '--timeout', '30', '--interval', '0.2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`env-dev: the sync of ${NEW} failed: Failed: one or more objects failed to apply`);
  });

  it('says so when access is denied', async () => {
    handler = (_req, res) =>
      res
        .writeHead(403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden' }));
    const r = await run([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /no access at http:\/\/127\.0\.0\.1:\d+ \(namespace argocd\): expected permission to list applications\.argoproj\.io/,
    );
  });

  it('says so when Argo CD is not installed', async () => {
    handler = (_req, res) =>
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","code":404}');
    const r = await run([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no Argo CD at .*applications\.argoproj\.io not found/);
  });

  it('says so when no Application matches', async () => {
    handler = serve(() => []);
    const r = await run(['--env', 'staging']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no Argo CD Applications for environment staging');
  });

  it('says so when the cluster cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await run([], { KUBECONFIG: kubeconfig(`http://127.0.0.1:${deadPort}`) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`cannot reach the cluster at http://127\\.0\\.0\\.1:${deadPort}: ECONNREFUSED`),
    );
  });

  describe('a server that accepts the connection but never answers', () => {
    const hang: Handler = () => undefined; // reads the request, never responds

    it('--wait gives up at --timeout, counted over the whole command', async () => {
      handler = hang;
      const started = Date.now();
      const r = await run(['--env', 'dev', '--wait', '--revision', NEW, '--timeout', '1', '--interval', '0.2']);
      // Bounded by --timeout, not by the 30 s a single request may take (nor forever): the margin is for a loaded
      // machine, never near 30 s.
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.stderr).toContain('timed out after 1 s');
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(
        /^platform status: timed out after 1 s waiting for env-dev to run 2{40} Synced and Healthy; the cluster never answered: no answer from the cluster at http:\/\/127\.0\.0\.1:\d+ within 1 s/,
      );
    });

    it('--wait reports the last state seen when the server stops answering', async () => {
      let calls = 0;
      handler = (req, res) =>
        ++calls === 1 ? serve(() => [app('dev', 'Synced', 'Progressing', OLD)])(req, res) : undefined;
      const r = await run(['--env', 'dev', '--wait', '--revision', NEW, '--timeout', '1', '--interval', '0.2']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /timed out after 1 s .*; last seen: sync Synced, health Progressing, revision 1{40}; then no answer/,
      );
    });

    it('a plain status is bounded by --timeout too', async () => {
      handler = hang;
      const started = Date.now();
      const r = await run(['--timeout', '1']);
      // Bounded by --timeout 1, not the default 30 s: the margin is for a loaded machine.
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(
        /^platform status: no answer from the cluster at http:\/\/127\.0\.0\.1:\d+ within 1 s \(listing applications\.argoproj\.io in namespace argocd\)/,
      );
    });
  });

  it('says so when there is no kubeconfig', async () => {
    const r = await run([], { KUBECONFIG: undefined });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no kubeconfig: KUBECONFIG is not set and .*\.kube\/config does not exist/);
  });

  it('says so when the kubeconfig has no current context', async () => {
    const file = join(dir, 'empty-kubeconfig');
    writeFileSync(file, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    const r = await run([], { KUBECONFIG: file });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has no current context with a cluster/);
  });

  it.each([
    [['--wait'], /--wait needs --env and --revision/],
    [['--env', 'dev', '--wait', '--revision', 'xyz'], /--revision: got "xyz"; expected a commit id/],
    [
      ['--env', 'dev', '--wait', '--revision', NEW, '--timeout', '0'],
      /--timeout: got "0"; expected a number of seconds from 1 to 3600/,
    ],
    [['--revision', NEW], /only apply with --wait/],
    [['--interval', '1'], /only apply with --wait/],
    [['--env', 'Dev!'], /--env: got "Dev!"/],
    // fails before the environment check: qa is no environments/*.yaml of this repository (end to end: exit 2 and
    // the one stderr line of the built CLI)
    [
      ['--env', 'qa'],
      /^platform status: --env: got "qa"; expected one of the environments: dev, prod, staging\n$/,
      'binary' as const,
    ],
  ])('refuses bad flags %j', async (...[args, message, how]: [string[], RegExp, 'binary'?]) => {
    const r = await run(args, {}, how);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
