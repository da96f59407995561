import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './sinks';

/** The built entry point (`npm run build`); tests run the real process, as a container would. */
export const MAIN_JS = join(__dirname, '..', '..', 'lib', 'main.js');

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** The app as a child process, with its JSON log lines parsed. */
export class AppProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stdoutRest = '';
  stderr = '';

  private constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [MAIN_JS], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Starts the app with only `env` (plus PATH), HTTP on a free port unless given. */
  static start(env: Record<string, string>): AppProcess {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first`);
    return new AppProcess({ PATH: process.env.PATH, HTTP_PORT: '0', ...env });
  }

  /** Resolves with the first log line with this `msg` (waiting up to `timeoutMs`). */
  async waitForLog(msg: string, timeoutMs = 10_000): Promise<LogLine> {
    await waitFor(
      () => this.logs.some((l) => l.msg === msg),
      `log "${msg}" (logs so far: ${this.describe()})`,
      timeoutMs,
    );
    return this.logs.find((l) => l.msg === msg) as LogLine;
  }

  /** The HTTP port the app bound (from its "http server listening" log line). */
  async httpPort(): Promise<number> {
    return (await this.waitForLog('http server listening')).port as number;
  }

  async getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`http://127.0.0.1:${await this.httpPort()}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Sends SIGKILL if still running (test cleanup). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  describe(): string {
    return JSON.stringify({ logs: this.logs.map((l) => l.msg), stderr: this.stderr.slice(0, 2000) });
  }

  private onStdout(chunk: string): void {
    const text = this.stdoutRest + chunk;
    const lines = text.split('\n');
    this.stdoutRest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.logs.push({ level: 'raw', msg: line });
      }
    }
  }
}
