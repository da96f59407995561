import { spawn } from 'node:child_process';

/** Runs an engine binary with `input` on stdin; resolves its stdout, rejects with its last stderr line. */
export function runTool(bin: string, args: readonly string[], input = '', timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            `${bin.split('/').pop() ?? bin} ${args.join(' ')}: ${signal ?? `exit ${code}`}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
    // A tool may exit without reading all its input (actionlint reads files named on its command line): the write
    // then fails with EPIPE, and the exit status, not the broken pipe, is the outcome.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') return;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    });
    child.stdin.end(input);
  });
}
