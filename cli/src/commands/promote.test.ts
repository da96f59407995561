import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bumpCommand } from './bump';
import { promoteCommand } from './promote';
import { DIGEST_A, DIGEST_B, DIGEST_C, commandIn, git, useGitFixture } from '../testing/git-fixture';
import { captureOutputOfEachTest } from '../testing/run-cli';

const SHA = 'fedcba9876543210fedcba9876543210fedcba98';
const fx = useGitFixture();
captureOutputOfEachTest();
const bumpIn = commandIn(bumpCommand);
const promoteIn = commandIn(promoteCommand);
const trailers = (rev: string) => git(fx.origin, 'log', '-1', '--format=%(trailers:only,unfold)', rev).split('\n');

describe('platform promote', () => {
  it('carries the exact image dev runs to staging, then staging to prod, one commit each', async () => {
    const c = fx.clone('chain');
    await bumpIn(c, '--env', 'dev', '--tag', '4.0.0', '--digest', DIGEST_A, '--source-commit', SHA, '--push', 'origin');
    const devTip = git(fx.origin, 'rev-parse', 'env/dev');

    const stagingBefore = git(fx.origin, 'rev-parse', 'env/staging');
    await expect(promoteIn(c, '--from', 'dev', '--to', 'staging', '--push', 'origin')).resolves.toBe(0);
    const stagingTip = git(fx.origin, 'rev-parse', 'env/staging');
    expect(git(fx.origin, 'rev-parse', `${stagingTip}^`)).toBe(stagingBefore);
    expect(trailers(stagingTip)).toEqual([
      `Source-Commit: ${SHA}`,
      `Image-Digest: ${DIGEST_A}`,
      `Promoted-From: dev@${devTip}`,
    ]);
    const staging = git(fx.origin, 'show', `${stagingTip}:environments/staging.yaml`);
    expect(staging).toContain('tag: "4.0.0"');
    expect(staging).toContain(`digest: ${DIGEST_A}`);
    // staging keeps its own registry: only tag and digest travel
    expect(git(fx.origin, 'show', `${stagingTip}:dist/staging/metrics-app.yaml`)).toContain(
      `222222222222.dkr.ecr.eu-west-1.amazonaws.com/metrics-app:4.0.0@${DIGEST_A}`,
    );

    await expect(
      promoteIn(c, '--from', 'staging', '--to', 'prod', '--digest', DIGEST_A, '--push', 'origin'),
    ).resolves.toBe(0);
    const prodTip = git(fx.origin, 'rev-parse', 'env/prod');
    expect(trailers(prodTip)).toEqual([
      `Source-Commit: ${SHA}`,
      `Image-Digest: ${DIGEST_A}`,
      `Promoted-From: staging@${stagingTip}`,
    ]);
    expect(git(fx.origin, 'show', `${prodTip}:dist/prod/metrics-app.yaml`)).toContain(`metrics-app:4.0.0@${DIGEST_A}`);
    expect(
      git(fx.origin, 'diff', '--name-only', `${prodTip}^`, prodTip)
        .split('\n')
        .every((f) => f === 'environments/prod.yaml' || f.startsWith('dist/prod/')),
    ).toBe(true);

    // promoting again is a no-op
    await expect(promoteIn(c, '--from', 'staging', '--to', 'prod', '--push', 'origin')).resolves.toBe(0);
    expect(git(fx.origin, 'rev-parse', 'env/prod')).toBe(prodTip);
  });

  it('in a fresh clone (only origin/env/*), promotes what the source branch runs, not main', async () => {
    const other = fx.clone('fresh-staging-moves');
    await bumpIn(other, '--env', 'staging', '--tag', '6.0.0', '--digest', DIGEST_C, '--push', 'origin');
    const c = fx.freshClone('fresh-promote');
    expect(git(c, 'branch', '--list', 'env/*')).toBe('');
    const stagingTip = git(c, 'rev-parse', 'origin/env/staging');
    const prodTip = git(c, 'rev-parse', 'origin/env/prod');

    await expect(promoteIn(c, '--from', 'staging', '--to', 'prod')).resolves.toBe(0);
    const tip = git(c, 'rev-parse', 'env/prod');
    expect(git(c, 'rev-parse', `${tip}^`)).toBe(prodTip);
    expect(git(c, 'show', `${tip}:environments/prod.yaml`)).toContain(`digest: ${DIGEST_C}`);
    expect(git(c, 'show', `${tip}:dist/prod/metrics-app.yaml`)).toContain(`metrics-app:6.0.0@${DIGEST_C}`);
    expect(git(c, 'log', '-1', '--format=%(trailers:key=Promoted-From,valueonly)', tip)).toBe(`staging@${stagingTip}`);
    expect(git(c, 'status', '--porcelain')).toBe('');
  });

  it('refuses a --digest that the source environment does not run', async () => {
    const c = fx.clone('wrong-digest');
    const before = git(fx.origin, 'rev-parse', 'env/prod');
    await expect(
      promoteIn(c, '--from', 'staging', '--to', 'prod', '--digest', DIGEST_B, '--push', 'origin'),
    ).rejects.toThrow(
      /--digest: got sha256:b+; expected the digest env\/staging runs .*refusing to promote what staging does not run/,
    );
    expect(git(fx.origin, 'rev-parse', 'env/prod')).toBe(before);
  });

  it('refuses when the source branch renders something other than its pin', async () => {
    const c = fx.clone('drift');
    git(c, 'switch', '--quiet', 'env/dev');
    const file = join(c, 'dist/dev/metrics-app.yaml');
    const text = git(c, 'show', 'HEAD:dist/dev/metrics-app.yaml').replace(/@sha256:[a-f0-9]{64}/, `@${DIGEST_B}`);
    writeFileSync(file, text + '\n');
    git(c, 'commit', '--quiet', '-am', 'hand-edit the rendered image');
    git(c, 'switch', '--quiet', 'main');
    const before = git(c, 'rev-parse', 'env/staging');
    await expect(promoteIn(c, '--from', 'dev', '--to', 'staging')).rejects.toThrow(
      new RegExp(`env/dev .* does not run its pin: .* but dist/dev/ has metrics-app.yaml: .*@${DIGEST_B}`),
    );
    expect(git(c, 'rev-parse', 'env/staging')).toBe(before);
    expect(git(c, 'status', '--porcelain')).toBe('');
  });

  it.each([
    [['--from', 'dev', '--to', 'dev'], /--to: got "dev"; expected an environment other than --from/],
    [['--from', 'qa', '--to', 'prod'], /--from: got "qa"; expected one of the environments/],
    [['--from', 'dev', '--to', 'production'], /--to: got "production"/],
    [['--from', 'dev'], /--to is required/],
    [['--from', 'dev', '--to', 'prod', '--digest', 'deadbeef'], /--digest: got "deadbeef"/],
  ])('refuses bad flags %j', async (args, message) => {
    const c = fx.clone(`bad-${args.join('-')}`);
    const head = git(c, 'rev-parse', 'HEAD');
    await expect(promoteIn(c, ...args)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
    expect(git(c, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(c, 'status', '--porcelain')).toBe('');
  });
});
