import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironments } from './config/load';
import { renderEnvironment } from './render';
import { yamlData } from './testing/yaml-data';

const repoRoot = join(__dirname, '..', '..');

function objects(texts: readonly string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const text of texts) {
    for (const doc of yamlData(text)) {
      const o = doc as { kind: string; metadata: { name: string; namespace?: string } };
      out.set(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
    }
  }
  return out;
}

/** `cdk8s synth` (the CLI, running cdk8s/src/main.ts with ts-node per cdk8s.yaml) renders what `platform synth` does. */
describe('cdk8s synth', () => {
  const out = mkdtempSync(join(tmpdir(), 'cdk8s-out-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('renders the same objects as platform synth, for every environment', () => {
    // no upgrade check: it asks the npm registry for the latest cdk8s-cli (a network call, and seconds when offline)
    const cli = join(repoRoot, 'node_modules', '.bin', 'cdk8s');
    const result = spawnSync(cli, ['synth', '--no-check-upgrade', '--output', out], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect([result.status, result.stderr]).toEqual([0, expect.any(String)]);
    const files = readdirSync(out);
    for (const env of loadEnvironments(repoRoot)) {
      const fromCdk8s = objects(
        files.filter((f) => f.startsWith(`${env.name}-`)).map((f) => readFileSync(join(out, f), 'utf8')),
      );
      const fromPlatform = objects([...renderEnvironment(repoRoot, env).values()]);
      expect([...fromCdk8s.keys()].sort()).toEqual([...fromPlatform.keys()].sort());
      for (const [id, obj] of fromPlatform) expect([id, fromCdk8s.get(id)]).toEqual([id, obj]);
    }
  });
});
