import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffCommand, unifiedDiff } from './diff';
import { commandIn, git, useGitFixture } from '../testing/git-fixture';
import { captureOutputOfEachTest } from '../testing/run-cli';

const fx = useGitFixture();
const output = captureOutputOfEachTest();
const diffIn = commandIn(diffCommand);

describe('platform diff', () => {
  it('shows the rendered effect of a working-tree change against origin/env/<env>', async () => {
    const c = fx.clone('change');
    const file = join(c, 'environments/staging.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('intervalMs: 3000', 'intervalMs: 5000'));
    await expect(diffIn(c, '--env', 'staging', '--exit-code')).resolves.toBe(1);
    const text = output.out;
    expect(text).toContain('# dist/staging: origin/env/staging (a/) -> working tree render (b/)');
    expect(text).toMatch(/^--- a\/dist\/staging\/metrics-app\.yaml$/m);
    expect(text).toMatch(/^\+\+\+ b\/dist\/staging\/metrics-app\.yaml$/m);
    expect(text).toMatch(/^\+\s+METRICS_INTERVAL_MS: "5000"$/m);
    expect(text).toMatch(/^-\s+METRICS_INTERVAL_MS: "3000"$/m);
    expect(git(c, 'status', '--porcelain')).toBe('M environments/staging.yaml');
  });

  it('reports no differences when the working tree renders what the branch has', async () => {
    const c = fx.clone('same');
    await expect(diffIn(c, '--env', 'dev', '--exit-code')).resolves.toBe(0);
    expect(output.out).toContain('no differences between origin/env/dev and the working tree');
  });

  it('compares with any --base revision', async () => {
    const c = fx.clone('base');
    await expect(diffIn(c, '--env', 'prod', '--base', 'main')).resolves.toBe(0);
    await expect(diffIn(c, '--env', 'prod', '--base', 'no-such-rev')).rejects.toThrow(
      /--base: got "no-such-rev"; expected a revision that exists/,
    );
    await expect(diffIn(c, '--env', 'nope')).rejects.toThrow(/--env: got "nope"/);
  });

  it('diffs added and removed files', () => {
    const d = unifiedDiff('dist/x', new Map([['gone.yaml', 'a: 1\n']]), new Map([['new.yaml', 'b: 2\n']]));
    expect(d).toContain('--- a/dist/x/gone.yaml');
    expect(d).toContain('+++ b/dist/x/new.yaml');
    expect(unifiedDiff('dist/x', new Map([['same', 'x\n']]), new Map([['same', 'x\n']]))).toBe('');
  });
});
