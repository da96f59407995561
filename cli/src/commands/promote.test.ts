import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bumpCommand } from './bump';
import { promoteCommand } from './promote';
import { ecrImageLookup, type ImageLookup } from '../aws/ecr-images';
import { renderEnvironment } from '@metrics-platform/cdk8s/lib/render';
import { DIGEST_A, DIGEST_B, DIGEST_C, commandIn, git, revParse, showAll, useGitFixture } from '../testing/git-fixture';
import { startEcrStandIn, type EcrStandIn } from '../testing/ecr-stand-in';
import { captureOutputOfEachTest } from '../testing/run-cli';

const SHA = 'fedcba9876543210fedcba9876543210fedcba98';
const fx = useGitFixture();
captureOutputOfEachTest();
const bumpIn = commandIn(bumpCommand);
/** The target registries of these tests have every image (the registry check itself is tested below). */
const everyImage: ImageLookup = () => Promise.resolve({ found: true, tags: [] });
const promoteIn = commandIn((render, cwd) => promoteCommand(render, cwd, () => everyImage));
/** promote with the real ECR client, pointed at a stand-in on 127.0.0.1. */
const promoteAgainst = (standIn: EcrStandIn, dir: string, ...args: string[]) =>
  promoteCommand(
    () => renderEnvironment,
    () => dir,
    () => ecrImageLookup({ ...CREDENTIALS_ENV, PLATFORM_ECR_ENDPOINT: standIn.endpoint }),
  ).run(args);
const CREDENTIALS = {
  accessKeyId: 'AKIAPROMOTETEST',
  secretAccessKey: 'promote-test-secret',
  sessionToken: 'promote-test-session',
};
const CREDENTIALS_ENV = {
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
};
const trailers = (rev: string) => git(fx.origin, 'log', '-1', '--format=%(trailers:only,unfold)', rev).split('\n');

describe('platform promote', () => {
  it('carries the exact image dev runs to staging, then staging to prod, one commit each', async () => {
    const c = fx.clone('chain');
    await bumpIn(c, '--env', 'dev', '--tag', '4.0.0', '--digest', DIGEST_A, '--source-commit', SHA, '--push', 'origin');
    const [devTip, stagingBefore] = revParse(fx.origin, 'env/dev', 'env/staging');

    await expect(promoteIn(c, '--from', 'dev', '--to', 'staging', '--push', 'origin')).resolves.toBe(0);
    const [stagingTip, stagingParent] = revParse(fx.origin, 'env/staging', 'env/staging^');
    expect(stagingParent).toBe(stagingBefore);
    expect(trailers(stagingTip!)).toEqual([
      `Source-Commit: ${SHA}`,
      `Image-Digest: ${DIGEST_A}`,
      `Promoted-From: dev@${devTip}`,
    ]);
    const [staging, stagingApp] = showAll(
      fx.origin,
      `${stagingTip}:environments/staging.yaml`,
      `${stagingTip}:dist/staging/metrics-app.yaml`,
    );
    expect(staging).toContain('tag: "4.0.0"');
    expect(staging).toContain(`digest: ${DIGEST_A}`);
    // staging keeps its own registry: only tag and digest travel
    expect(stagingApp).toContain(`222222222222.dkr.ecr.eu-west-1.amazonaws.com/metrics-app:4.0.0@${DIGEST_A}`);

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
    const [stagingTip, prodTip] = revParse(c, 'origin/env/staging', 'origin/env/prod');

    await expect(promoteIn(c, '--from', 'staging', '--to', 'prod')).resolves.toBe(0);
    const [tip, parent] = revParse(c, 'env/prod', 'env/prod^');
    expect(parent).toBe(prodTip);
    const [prod, prodApp] = showAll(c, `${tip}:environments/prod.yaml`, `${tip}:dist/prod/metrics-app.yaml`);
    expect(prod).toContain(`digest: ${DIGEST_C}`);
    expect(prodApp).toContain(`metrics-app:6.0.0@${DIGEST_C}`);
    expect(git(c, 'log', '-1', '--format=%(trailers:key=Promoted-From,valueonly)', tip!)).toBe(`staging@${stagingTip}`);
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

  let refused: string | undefined;
  it.each([
    [['--from', 'dev', '--to', 'dev'], /--to: got "dev"; expected an environment other than --from/],
    [['--from', 'qa', '--to', 'prod'], /--from: got "qa"; expected one of the environments/],
    [['--from', 'dev', '--to', 'production'], /--to: got "production"/],
    [['--from', 'dev'], /--to is required/],
    [['--from', 'dev', '--to', 'prod', '--digest', 'deadbeef'], /--digest: got "deadbeef"/],
  ])('refuses bad flags %j', async (args, message) => {
    // one clone for these cases: each leaves it as it found it (asserted)
    const c = (refused ??= fx.clone('bad-flags'));
    const head = git(c, 'rev-parse', 'HEAD');
    await expect(promoteIn(c, ...args)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
    expect(git(c, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(c, 'status', '--porcelain')).toBe('');
  });
});

describe("platform promote checks the target's registry first", () => {
  let ecr: EcrStandIn;
  beforeEach(async () => {
    ecr = await startEcrStandIn(CREDENTIALS, 'eu-west-1');
  });
  afterEach(() => ecr.close());

  it("refuses a digest staging's registry does not have, with no commit; promotes once it has it", async () => {
    const c = fx.clone('registry-check');
    await bumpIn(c, '--env', 'dev', '--tag', '7.0.0', '--digest', DIGEST_B, '--source-commit', SHA, '--push', 'origin');
    const before = git(fx.origin, 'rev-parse', 'env/staging');
    ecr.addImage('222222222222', 'metrics-app', DIGEST_C, ['6.0.0']);
    await expect(promoteAgainst(ecr, c, '--from', 'dev', '--to', 'staging', '--push', 'origin')).rejects.toThrow(
      `222222222222.dkr.ecr.eu-west-1.amazonaws.com/metrics-app does not have ${DIGEST_B}; refusing to promote an image staging could not pull`,
    );
    expect(git(fx.origin, 'rev-parse', 'env/staging')).toBe(before);
    // Asked staging's registry (not dev's) for exactly that digest, with signed requests.
    expect(ecr.requests.map((r) => r.body)).toEqual([
      { registryId: '222222222222', repositoryName: 'metrics-app', imageIds: [{ imageDigest: DIGEST_B }] },
    ]);

    ecr.addImage('222222222222', 'metrics-app', DIGEST_B, ['7.0.0']);
    await expect(promoteAgainst(ecr, c, '--from', 'dev', '--to', 'staging', '--push', 'origin')).resolves.toBe(0);
    expect(git(fx.origin, 'show', 'env/staging:environments/staging.yaml')).toContain(`digest: ${DIGEST_B}`);
  });

  it('--wait polls until replication brings the digest, within --timeout', async () => {
    const c = fx.clone('registry-wait');
    await bumpIn(c, '--env', 'dev', '--tag', '8.0.0', '--digest', DIGEST_A, '--source-commit', SHA, '--push', 'origin');
    ecr.addImage('222222222222', 'metrics-app', DIGEST_A, ['8.0.0'], 1);
    await expect(
      promoteAgainst(
        ecr,
        c,
        '--from',
        'dev',
        '--to',
        'staging',
        '--push',
        'origin',
        '--wait',
        '--interval',
        '1',
        '--timeout',
        '30',
      ),
    ).resolves.toBe(0);
    expect(ecr.requests.length).toBe(2);
    expect(git(fx.origin, 'show', 'env/staging:environments/staging.yaml')).toContain(`digest: ${DIGEST_A}`);
  });

  it('--wait gives up at --timeout with the last answer', async () => {
    const c = fx.clone('registry-timeout');
    await bumpIn(c, '--env', 'dev', '--tag', '9.0.0', '--digest', DIGEST_C, '--source-commit', SHA, '--push', 'origin');
    ecr.addImage('222222222222', 'metrics-app', DIGEST_B, []);
    // A clock whose sleeps pass at once (the test above waits in real time): the waits asked for, and when it gave up.
    let now = 0;
    const slept: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => void (slept.push(ms), (now += ms)),
    };
    const started = Date.now();
    await expect(
      promoteCommand(
        () => renderEnvironment,
        () => c,
        () => ecrImageLookup({ ...CREDENTIALS_ENV, PLATFORM_ECR_ENDPOINT: ecr.endpoint }),
        clock,
      ).run(['--from', 'dev', '--to', 'staging', '--wait', '--interval', '1', '--timeout', '1']),
    ).rejects.toThrow(`does not have ${DIGEST_C} after 1 s`);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(slept).toEqual([1000]);
    expect(now).toBe(1000);
    expect(ecr.requests.length).toBe(2);
  });

  let refusedWait: string | undefined;
  it.each([
    [['--from', 'dev', '--to', 'staging', '--timeout', '5'], /--timeout: got "5"; expected it only with --wait/],
    [
      ['--from', 'dev', '--to', 'staging', '--wait', '--interval', '0'],
      /--interval: got "0"; expected a whole number from 1 to 3600/,
    ],
  ])('refuses bad wait flags %j before asking anything', async (args, message) => {
    const c = (refusedWait ??= fx.clone('bad-wait'));
    const head = git(c, 'rev-parse', 'HEAD');
    await expect(promoteAgainst(ecr, c, ...args)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(message),
    });
    expect(ecr.requests).toEqual([]);
    expect(git(c, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(c, 'status', '--porcelain')).toBe('');
  });
});
