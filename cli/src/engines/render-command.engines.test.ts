import { parseAllDocuments } from 'yaml';
import { render } from '../crossplane/command';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureOutput, runBuiltCli } from '../testing/run-cli';
import { engines } from './testing/engine-context';

/** `platform render`: the environments' XRs through Crossplane's real render engine and functions. */

const run = (args: string[]) => captureOutput(() => render.run(args));

jest.setTimeout(120_000);

describe('platform render', () => {
  beforeAll(async () => {
    await engines();
  });

  it('renders one XR of one environment as valid YAML and exits 0', async () => {
    const r = await run(['--env', 'dev', '--xr', 'ClusterAddons/cluster-addons']);
    expect(r.err).toMatch(/^1 XRs rendered into 11 composed resources, 0 problems$/m);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.out).map((d) => d.toJSON() as { kind: string });
    // The EBS CSI add-on waits (Required patches) for the Pod Identity agent and association to exist.
    expect(docs.filter((d) => d.kind === 'Addon')).toHaveLength(4);
  });

  it('renders every environment quietly', async () => {
    const r = await run(['--quiet']);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/XRs rendered into \d+ composed resources, 0 problems/);
    expect(r.code).toBe(0);
  });

  it('leaves nothing in the temp dir (fails before: cdk8s Testing.app() left a cdk8s.outdir.* per call)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'platform-render-tmp-'));
    try {
      const r = await runBuiltCli(['render', '--env', 'dev', '--quiet'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp },
        timeoutMs: 120_000,
      });
      expect(r.code).toBe(0);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('names a missing XR and an unknown environment', async () => {
    await expect(run(['--env', 'dev', '--xr', 'Repository/nope'])).rejects.toThrow(
      '--xr: got "Repository/nope"; no such XR in dist/dev',
    );
    await expect(run(['--env', 'qa'])).rejects.toThrow(/--env: got "qa"; expected one of/);
  });
});
