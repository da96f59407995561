import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { connect } from 'node:net';
import { unusedLoopbackPort } from '../ports';

/** Process groups of daemons still running, killed if the test process exits without stopping them. */
const running = new Set<number>();
process.once('exit', () => {
  for (const pid of running) signalGroup(pid, 'SIGKILL');
});

/** A daemon started by a test: its own process group (so helpers it forks go too), output kept for diagnostics. */
export class DaemonProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private output = '';

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: SpawnOptions = {},
  ) {
    this.child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      // The tail is what explains a failure; bound the memory.
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    const pid = this.child.pid;
    if (pid !== undefined) running.add(pid);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code) => {
        if (pid !== undefined) running.delete(pid);
        resolve(code);
      });
      this.child.on('error', (error) => {
        this.output += `\nspawn failed: ${error.message}`;
        resolve(null);
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  /** Last output lines, for failure messages. */
  tail(lines = 30): string {
    return `--- ${this.name} (pid ${this.child.pid}) ---\n${this.output.split('\n').slice(-lines).join('\n')}`;
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the leader has exited. */
  async stop(graceMs = 3000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || !this.running) return;
    signalGroup(pid, 'SIGTERM');
    const killer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(killer);
    // Workers (gunicorn's) may outlive the leader by a moment.
    signalGroup(pid, 'SIGKILL');
  }

  /** SIGKILL to the process group (a crash); resolves once the leader has exited. */
  async kill(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || !this.running) return;
    signalGroup(pid, 'SIGKILL');
    await this.exited;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** A free loopback TCP port for a daemon to take, also again after a restart (see unusedLoopbackPort). */
export function freeTcpPort(): Promise<number> {
  return unusedLoopbackPort('tcp');
}

/** A free loopback UDP port for a daemon to take (see unusedLoopbackPort). */
export function freeUdpPort(): Promise<number> {
  return unusedLoopbackPort('udp');
}

/** Resolves once 127.0.0.1:`port` accepts TCP connections; rejects at the deadline or if the daemon exits. */
export async function waitForTcpPort(daemon: DaemonProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!daemon.running) throw new Error(`${daemon.name} exited before listening on ${port}\n${daemon.tail()}`);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) {
      throw new Error(`${daemon.name} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms\n${daemon.tail()}`);
    }
    // a refused connect on loopback costs microseconds: polling often starts the tests sooner, not the daemon slower
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
