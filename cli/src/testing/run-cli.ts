import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join, resolve } from 'node:path';
import { main } from '../main';

/** What a command returned and printed. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs a command in-process with `process.stdout` and `process.stderr` captured (nothing reaches the terminal);
 * the streams are restored afterwards, also when the command throws (the error propagates).
 */
export async function captureOutput(run: () => Promise<number>): Promise<CliRun> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await run();
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** The built CLI (`cli/lib/bin/platform.js`), for tests that run it as a separate process. */
export function builtCli(): string {
  const cli = join(resolve(__dirname, '../../..'), 'cli/lib/bin/platform.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" before the tests`);
  return cli;
}

export interface BuiltCliOptions {
  /** @default this process's working directory */
  readonly cwd?: string;
  /** The child's whole environment (nothing is inherited). */
  readonly env: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long. @default 60_000 */
  readonly timeoutMs?: number;
}

/**
 * The built CLI as a child process, asynchronously (a server in the test process keeps answering meanwhile);
 * `code` is null when the child was killed.
 */
export function runBuiltCli(
  argv: string[],
  opts: BuiltCliOptions,
): Promise<Omit<CliRun, 'code'> & { code: number | null }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [builtCli(), ...argv], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out, err });
    });
  });
}

/** `platform <argv...>` in-process (through `main`, as the binary runs it), output captured. */
export function runCli(argv: string[]): Promise<CliRun> {
  return captureOutput(() => main(argv));
}

/**
 * For suites that run commands directly and read their output afterwards: captures stdout and stderr during each
 * test (`beforeEach`, emptied for every test) and restores the mocks after it. Read `.out` / `.err` in the test.
 */
export function captureOutputOfEachTest(): { readonly out: string; readonly err: string } {
  const captured = { out: '', err: '' };
  beforeEach(() => {
    captured.out = '';
    captured.err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((captured.out += String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((captured.err += String(s)), true));
  });
  afterEach(() => jest.restoreAllMocks());
  return captured;
}

/** What jest hands out as `node:module`: Node's module class, whose `_load` is Node's own loader (not jest's). */
interface NodeModuleLoader {
  _load(request: string, parent: null, isMain: boolean): unknown;
}

/**
 * A package loaded by Node itself, beneath jest's module registry: for an ES-module-only package (jest on Node < 24.9
 * cannot require one) that a command loads with `import()`. Register it for the suite with
 * `jest.mock(id, () => nodeLoaded(id))`: the command then gets the real package, loaded once per jest worker.
 */
export function nodeLoaded(id: string): unknown {
  return (nodeModule as unknown as NodeModuleLoader)._load(require.resolve(id), null, false);
}

/**
 * Runs `run` with environment variables set (undefined: removed) in jest's `process.env` and in the process's own
 * (which a package from `nodeLoaded` and `os.homedir()` read), both restored afterwards.
 */
export async function withEnv<T>(vars: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const envs = [...new Set([process.env, (nodeLoaded('node:process') as NodeJS.Process).env])];
  const saved = envs.map((env) => Object.fromEntries(Object.keys(vars).map((k) => [k, env[k]])));
  const assign = (env: NodeJS.ProcessEnv, values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
  };
  for (const env of envs) assign(env, vars);
  try {
    return await run();
  } finally {
    envs.forEach((env, i) => assign(env, saved[i]!));
  }
}
