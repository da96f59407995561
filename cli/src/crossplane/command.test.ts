import { parseAllDocuments } from 'yaml';
import { captureOutput } from '../testing/run-cli';
import { UsageError } from '../util/errors';
import { parseRenderArgs, render } from './command';

/** `platform render`: the offline crossplane render of the environments' XRs. */

const run = (args: string[]) => captureOutput(() => render.run(args));

describe('platform render', () => {
  it('renders one XR of one environment as valid YAML and exits 0', async () => {
    const r = await run(['--env', 'dev', '--xr', 'ClusterAddons/cluster-addons']);
    expect(r.err).toMatch(/^1 XRs rendered into 11 composed resources, 0 problems$/m);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.out).map((d) => d.toJSON() as { kind: string });
    expect(docs.filter((d) => d.kind === 'Addon')).toHaveLength(4);
    expect(r.out).toContain('# dist/dev: ClusterAddons/cluster-addons -> addon-aws-ebs-csi-driver: held back until');
  });

  it('renders every environment quietly', async () => {
    const r = await run(['--quiet']);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/XRs rendered into \d+ composed resources, 0 problems/);
    expect(r.code).toBe(0);
  });

  it('rejects bad usage with the flag, the value and what was expected', async () => {
    expect(() => parseRenderArgs(['--xr', 'repository'])).toThrow('--xr: got "repository"; expected KIND/NAME such as Repository/metrics-app');
    expect(() => parseRenderArgs(['--color'])).toThrow(UsageError);
    await expect(run(['--env', 'dev', '--xr', 'Repository/nope'])).rejects.toThrow('--xr: got "Repository/nope"; no such XR in dist/dev');
    await expect(run(['--env', 'qa'])).rejects.toThrow(/--env: got "qa"; expected one of/);
  });
});
