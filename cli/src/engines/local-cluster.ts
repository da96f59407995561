import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeApi } from './kube-api';

export interface LocalClusterProps {
  /** Path of the etcd binary (engines/kube). */
  readonly etcd: string;
  /** Path of the kube-apiserver binary (engines/kube). */
  readonly kubeApiserver: string;
  /**
   * How long etcd and the API server may take to become ready.
   * @default 90 s
   */
  readonly readyTimeoutMs?: number;
}

/** Processes started by this module, so an exiting test process never leaves one behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * etcd and the upstream kube-apiserver on loopback, in a temporary directory: default admission plugins
 * (PodSecurity included), RBAC, one static token in system:masters. Nothing else runs (no controller manager, no
 * scheduler, no kubelet): objects are stored and admitted, never run.
 */
export class LocalCluster {
  static async start(props: LocalClusterProps): Promise<LocalCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'platform-cluster-'));
    const cluster = new LocalCluster(dir);
    try {
      await cluster.boot(props);
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  readonly token = randomBytes(24).toString('hex');
  private readonly children: ChildProcess[] = [];
  private url = '';
  private ca = '';

  private constructor(readonly dir: string) {}

  /** A client with cluster-admin rights. */
  api(): KubeApi {
    return new KubeApi({ server: this.url, token: this.token, ca: this.ca });
  }

  /** A kubeconfig file for this cluster (for the CLI under test). */
  writeKubeconfig(path: string): void {
    const caData = Buffer.from(this.ca).toString('base64');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: local`,
        `  cluster: {server: "${this.url}", certificate-authority-data: "${caData}"}`,
        'users:',
        `- name: admin`,
        `  user: {token: "${this.token}"}`,
        'contexts:',
        '- name: local',
        '  context: {cluster: local, user: admin}',
        'current-context: local',
        '',
      ].join('\n'),
    );
  }

  get server(): string {
    return this.url;
  }

  private async boot(props: LocalClusterProps): Promise<void> {
    const timeout = props.readyTimeoutMs ?? 90_000;
    const [client, peer, secure] = [await freePort(), await freePort(), await freePort()];
    this.spawnLogged('etcd', props.etcd, [
      '--name=default',
      `--data-dir=${join(this.dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${client}`,
      `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=default=http://127.0.0.1:${peer}`,
      // A throw-away store: durability buys nothing here and fsync costs seconds on a busy disk.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(this.dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(this.dir, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(this.dir, 'tokens.csv'), `${this.token},admin,admin-uid,"system:masters"\n`);
    this.spawnLogged('kube-apiserver', props.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${client}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${secure}`,
      `--cert-dir=${join(this.dir, 'certs')}`,
      `--token-auth-file=${join(this.dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(this.dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(this.dir, 'sa.key')}`,
      // Cluster IPs are only numbers stored in etcd here; no traffic is ever routed.
      '--service-cluster-ip-range=10.96.0.0/16',
      '--profiling=false',
      '--v=1',
    ]);
    this.url = `https://127.0.0.1:${secure}`;
    const deadline = Date.now() + timeout;
    for (let attempt = 0; ; attempt++) {
      try {
        this.ca = readFileSync(join(this.dir, 'certs', 'apiserver.crt'), 'utf8');
        const ready = await this.api().raw('GET', '/readyz');
        if (ready.status === 200) return;
      } catch {
        // not listening yet
      }
      for (const c of this.children) {
        if (c.exitCode !== null) throw new Error(`${c.spawnfile} exited with ${c.exitCode}; see ${this.logPath(c)}`);
      }
      if (Date.now() > deadline) throw new Error(`the API server was not ready within ${timeout} ms; see ${this.dir}`);
      await new Promise((r) => setTimeout(r, Math.min(100 * (attempt + 1), 1000)));
    }
  }

  private logPath(c: ChildProcess): string {
    return join(this.dir, `${c.spawnfile.split('/').pop() ?? 'proc'}.log`);
  }

  private spawnLogged(name: string, bin: string, args: string[]): void {
    const fd = openSync(join(this.dir, `${name}.log`), 'a');
    const child = spawn(bin, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    running.add(child);
    child.once('exit', () => running.delete(child));
    this.children.push(child);
  }

  /** The API server's log (for failure messages). */
  apiserverLog(): string {
    try {
      return readFileSync(join(this.dir, 'kube-apiserver.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops both processes by PID (TERM, then KILL after 5 s) and removes the directory. */
  async stop(): Promise<void> {
    for (const c of [...this.children].reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
