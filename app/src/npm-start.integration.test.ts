// `npm start` as an operator runs it: SIGTERM to npm must stop the app too and free its port.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { MAIN_JS } from './testing/app-process';
import { freeTcpPort } from './testing/daemons/daemon-process';
import { waitFor } from './testing/sinks';

const REPO_ROOT = join(__dirname, '..', '..');

/** True when 127.0.0.1:port can be bound again, i.e. nothing listens there any more. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it.each([
    ['the root package', REPO_ROOT],
    ['the app workspace', join(REPO_ROOT, 'app')],
  ])('in %s hands the process over: SIGTERM to npm stops the app and frees HTTP_PORT', async (_where, cwd) => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first`);
    const port = await freeTcpPort();
    // npm itself: the one that ran jest (npm_execpath) or the one next to this node.
    const npmCli = process.env.npm_execpath;
    const [command, args] =
      npmCli !== undefined && npmCli.endsWith('.js')
        ? [process.execPath, [npmCli, 'start', '--silent']]
        : ['npm', ['start', '--silent']];
    const npm = spawn(command, args, {
      cwd,
      env: { PATH: process.env.PATH, HTTP_PORT: String(port), METRICS_BACKEND_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    npm.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes('"msg":"sending metrics"'), `the app to start (output: ${output})`, 15_000);
      expect(await portIsFree(port)).toBe(false);
      npm.kill('SIGTERM');
      await exited;
      // The app got the signal and shut down gracefully ...
      await waitFor(() => output.includes('"msg":"shutdown complete"'), `the app's shutdown (output: ${output})`, 5000);
      // ... and nothing holds the port any more: the next `npm start` can bind it.
      let free = await portIsFree(port);
      for (let i = 0; i < 50 && !free; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        free = await portIsFree(port);
      }
      expect(free).toBe(true);
    } finally {
      npm.kill('SIGKILL');
      // Before the fix the app outlived npm: stop it by the PID it logs, so a failure leaves nothing running.
      const pid = /"pid":(\d+)/.exec(output)?.[1];
      if (pid !== undefined) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
  });
});
