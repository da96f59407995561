import * as nodeModule from 'node:module';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enableCompileCache } from './compile-cache';
import { runBuiltCli } from '../testing/run-cli';

const supported = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

describe('the compile cache of the platform binary', () => {
  const home = mkdtempSync(join(tmpdir(), 'compile-cache-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('is off when NODE_DISABLE_COMPILE_CACHE is set, as for Node itself', () => {
    expect(enableCompileCache({ XDG_CACHE_HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
  });

  // the unbundled CLI's (the bundle keeps its own code cache: bundle.test.ts)
  it(`fills <user cache>/node-compile-cache on a run where Node has one (this Node: ${supported ? 'yes' : 'no'})`, async () => {
    const cache = join(home, 'metrics-platform', 'node-compile-cache');
    const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: home, PLATFORM_BUNDLE: '0' };
    const first = await runBuiltCli(['--help'], { env });
    expect([first.code, first.err]).toEqual([0, '']);
    expect(existsSync(cache)).toBe(supported);
    if (supported) expect(readdirSync(cache).length).toBeGreaterThan(0);
    // a second run reads it and behaves the same
    expect(await runBuiltCli(['--help'], { env })).toEqual(first);
  });
});
