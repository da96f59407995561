import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bumpCommand } from './bump';
import { diffCommand, unifiedDiff } from './diff';
import { DIGEST_A, DIGEST_B, commandIn, git, useGitFixture } from '../testing/git-fixture';
import { captureOutputOfEachTest } from '../testing/run-cli';

const fx = useGitFixture();
const output = captureOutputOfEachTest();
const diffIn = commandIn(diffCommand);
const bumpIn = commandIn(bumpCommand);

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

  describe('after the environment moved to another image than main pins', () => {
    beforeAll(async () => {
      const c = fx.clone('release');
      await bumpIn(c, '--env', 'staging', '--tag', '2.0.0', '--digest', DIGEST_A, '--push', 'origin');
    });

    it('previews only what merging main would change: no image rollback, the pin difference said apart', async () => {
      const c = fx.clone('max-replicas');
      const file = join(c, 'environments/staging.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/maxReplicas: \d+/, 'maxReplicas: 9'));
      await expect(diffIn(c, '--env', 'staging', '--exit-code')).resolves.toBe(1);
      const lines = output.out.split('\n');
      expect(lines.slice(0, 2)).toEqual([
        '# dist/staging: origin/env/staging (a/) -> working tree render (b/)',
        expect.stringMatching(
          new RegExp(
            `^# image pin: origin/env/staging runs 2\\.0\\.0@${DIGEST_A}, the working tree has 1\\.0\\.0@sha256:[0-9a-f]{64}; a merge keeps origin/env/staging's \\(bump or promote changes it\\), so the render below uses it$`,
          ),
        ),
      ]);
      const changed = lines.filter((l) => /^[-+](?![-+]{2} )/.test(l));
      expect(changed).toEqual([
        expect.stringMatching(/^-\s+maxReplicas: \d+$/),
        expect.stringMatching(/^\+\s+maxReplicas: 9$/),
      ]);
      expect(lines.filter((l) => l.startsWith('@@'))).toHaveLength(1);
    });

    it('reports no differences when only the pin differs, and says that it does', async () => {
      const c = fx.clone('only-pin');
      await expect(diffIn(c, '--env', 'staging', '--exit-code')).resolves.toBe(0);
      expect(output.out).toMatch(
        /^# dist\/staging: no differences between origin\/env\/staging and the working tree\n# image pin: origin\/env\/staging runs 2\.0\.0@/,
      );
    });

    it("shows the pin change when main changed its own pin lines since the branch's last merge", async () => {
      const c = fx.clone('main-moves-pin');
      const file = join(c, 'environments/prod.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/digest: sha256:[0-9a-f]{64}/, `digest: ${DIGEST_B}`));
      git(c, 'commit', '--quiet', '-am', 'pin prod on main');
      await expect(diffIn(c, '--env', 'prod', '--exit-code')).resolves.toBe(1);
      expect(output.out).toContain(
        'the working tree has 1.0.0@' +
          DIGEST_B +
          '; main changed it since its last merge into origin/env/prod, so the merge changes it too',
      );
      expect(output.out).toMatch(new RegExp(`^\\+\\s+image: .*@${DIGEST_B}$`, 'm'));
    });
  });

  it('diffs added and removed files', () => {
    const d = unifiedDiff('dist/x', new Map([['gone.yaml', 'a: 1\n']]), new Map([['new.yaml', 'b: 2\n']]));
    expect(d).toContain('--- a/dist/x/gone.yaml');
    expect(d).toContain('+++ b/dist/x/new.yaml');
    expect(unifiedDiff('dist/x', new Map([['same', 'x\n']]), new Map([['same', 'x\n']]))).toBe('');
  });
});
