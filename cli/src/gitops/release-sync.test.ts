import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadEnvironment } from '@metrics-platform/cdk8s/lib/config';
import { renderEnvironment } from '@metrics-platform/cdk8s/lib/render';
import { bumpCommand } from '../commands/bump';
import { replaceDirAtomic } from '../util/atomic';
import { DIGEST_A, DIGEST_B, IDENTITY, REPO_ROOT, commandIn, git, useGitFixture } from '../testing/git-fixture';
import { builtCli, captureOutputOfEachTest } from '../testing/run-cli';

/**
 * The release workflow's "Bring env/dev up to date with main" step, run as written in release.yml (extracted
 * from it) with bash against real git: main's changes reach env/dev as one merge, the pin survives, dist/dev is
 * re-rendered, and a bump then applies cleanly on top.
 */
const release = parse(readFileSync(join(REPO_ROOT, '.github/workflows/release.yml'), 'utf8')) as {
  jobs: Record<string, { steps: Array<{ name?: string; run?: string; env?: Record<string, string> }> }>;
};
const step = release.jobs['bump-dev']!.steps.find((s) => s.name === 'Bring env/dev up to date with main')!;

let CLI: string;
beforeAll(() => {
  CLI = builtCli();
});
const fx = useGitFixture();
captureOutputOfEachTest();
const bumpIn = commandIn(bumpCommand);

function runStep(cwd: string) {
  return spawnSync('bash', ['-e', '-c', step.run!], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...IDENTITY, ENV_NAME: step.env!.ENV_NAME, PLATFORM_CLI: CLI },
  });
}

/** Commits a change to dev's config on main, rendered like `platform synth` would. */
function changeMain(edit: (text: string) => string, message: string) {
  const c = fx.clone(`main-${message.replace(/\W+/g, '-')}`);
  const file = join(c, 'environments/dev.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  replaceDirAtomic(join(c, 'dist/dev'), renderEnvironment(c, loadEnvironment(c, 'dev')));
  git(c, 'commit', '--quiet', '-am', message);
  git(c, 'push', '--quiet', 'origin', 'main');
}

describe('release: bring env/dev up to date with main', () => {
  it('merges main into env/dev, keeps the pin, re-renders dist/dev; a bump then lands on top', async () => {
    const bot = fx.clone('bot');
    await bumpIn(bot, '--env', 'dev', '--tag', '5.0.0', '--digest', DIGEST_A, '--push', 'origin');
    const bumped = git(fx.origin, 'rev-parse', 'env/dev');
    changeMain((t) => t.replace('intervalMs: 3000', 'intervalMs: 4000'), 'slower interval');
    const main = git(fx.origin, 'rev-parse', 'main');

    const ci = fx.clone('ci');
    const r = runStep(ci);
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 0,
      stderr: expect.not.stringMatching(/error|fatal/i),
    });
    const tip = git(fx.origin, 'rev-parse', 'env/dev');
    expect(git(fx.origin, 'rev-list', '--parents', '-n', '1', tip).split(' ').slice(1)).toEqual([bumped, main]);
    const config = git(fx.origin, 'show', `${tip}:environments/dev.yaml`);
    expect(config).toContain('intervalMs: 4000');
    expect(config).toContain(`digest: ${DIGEST_A}`);
    const app = git(fx.origin, 'show', `${tip}:dist/dev/metrics-app.yaml`);
    expect(app).toContain('METRICS_INTERVAL_MS: "4000"');
    expect(app).toContain(`metrics-app:5.0.0@${DIGEST_A}`);
    expect(git(ci, 'rev-parse', 'HEAD')).toBe(main);
    expect(git(ci, 'status', '--porcelain')).toBe('');

    // the bump that follows in the workflow applies cleanly: dist/dev is what the config renders
    await expect(bumpIn(ci, '--env', 'dev', '--tag', '5.1.0', '--digest', DIGEST_B, '--push', 'origin')).resolves.toBe(
      0,
    );
    expect(git(fx.origin, 'rev-parse', 'env/dev^')).toBe(tip);

    // and a second run has nothing to do
    const again = runStep(ci);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`env/dev already contains ${main}`);
  });

  it('stops for a person when main changed the pin itself', () => {
    changeMain(
      (t) => t.replace(/digest: sha256:[a-f0-9]{64}/, `digest: sha256:${'e'.repeat(64)}`),
      'edit the dev pin on main',
    );
    const before = git(fx.origin, 'rev-parse', 'env/dev');
    const r = runStep(fx.clone('ci-conflict'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /::error::merging main into env\/dev conflicts outside dist\/ \(environments\/dev\.yaml\)/,
    );
    expect(git(fx.origin, 'rev-parse', 'env/dev')).toBe(before);
  });
});
