import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from './run-tool';
import { engines, repoRoot } from './testing/engine-context';

/** actionlint's current release (engines/tools), with shellcheck-free rules, over every GitHub Actions workflow. */

jest.setTimeout(60_000);

describe('actionlint', () => {
  it('passes every workflow of .github/workflows', async () => {
    const e = await engines();
    const dir = join(repoRoot(), '.github', 'workflows');
    const files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(dir, f));
    expect(files.length).toBeGreaterThan(0);
    await expect(runTool(e.bins.actionlint, ['-no-color', '-shellcheck=', '-pyflakes=', ...files])).resolves.toBe('');
  });

  it('finds problems (the check is not vacuous)', async () => {
    const e = await engines();
    const dir = mkdtempSync(join(tmpdir(), 'platform-actionlint-'));
    try {
      const broken = join(dir, 'broken.yml');
      writeFileSync(
        broken,
        'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope.nope }}\n',
      );
      await expect(runTool(e.bins.actionlint, ['-no-color', '-shellcheck=', '-pyflakes=', broken])).rejects.toThrow(
        /exit 1/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
