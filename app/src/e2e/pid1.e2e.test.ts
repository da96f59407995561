// The app as PID 1 of its own PID namespace, as in a container without an init: the kernel applies no default
// action to signals for PID 1, so only the app's own handlers make SIGTERM work. Needs root (unshare), as in CI.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { MAIN_JS } from '../testing/app-process';
import { startUdpSink, waitFor } from '../testing/sinks';

describe('the app as PID 1', () => {
  it('flushes and exits 0 on SIGTERM', async () => {
    const sink = await startUdpSink();
    const child = spawn('unshare', ['--fork', '--pid', '--mount-proc', process.execPath, MAIN_JS], {
      env: {
        PATH: process.env.PATH,
        HTTP_PORT: '0',
        METRICS_BACKEND_HOST: '127.0.0.1',
        METRICS_BACKEND_PORT: String(sink.port),
        METRICS_INTERVAL_MS: '50',
        METRICS_FLUSH_INTERVAL_MS: '10000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(
        () => stdout.includes('"msg":"sending metrics"') || child.exitCode !== null,
        'the app to start',
        15_000,
      );
      if (child.exitCode !== null) {
        throw new Error(`unshare could not start the app in a PID namespace (root needed): ${stderr}`);
      }
      expect(stdout).toContain('"pid":1,');
      // unshare --fork waits on the app; signal the app itself (its PID outside the namespace).
      const outerPid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim());
      await new Promise((resolve) => setTimeout(resolve, 300));
      process.kill(outerPid, 'SIGTERM');
      expect(await exited).toBe(0);
      const closed = stdout
        .split('\n')
        .filter((l) => l.includes('"msg":"metrics client closed"'))
        .map((l) => JSON.parse(l) as { metricsSent: number })[0];
      expect(closed?.metricsSent).toBeGreaterThan(0);
      await waitFor(() => sink.lines().length === closed?.metricsSent, 'every timer at the sink', 3000);
      expect(stdout).toContain('"msg":"shutdown complete"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await sink.close();
    }
  }, 30_000);
});
