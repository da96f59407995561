import { ecrEndpoint, ecrImageLookup, parseEcrRepository } from './ecr-images';
import { startEcrStandIn, type EcrStandIn } from '../testing/ecr-stand-in';

const CREDENTIALS = { accessKeyId: 'AKIAECRTEST', secretAccessKey: 'ecr-test-secret' };
const DIGEST = `sha256:${'d'.repeat(64)}`;
const OTHER = `sha256:${'e'.repeat(64)}`;
const REPO = { registryId: '222222222222', region: 'eu-west-1', repositoryName: 'team/metrics-app' };

describe('ECR DescribeImages client', () => {
  let ecr: EcrStandIn;
  const env = () => ({
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    PLATFORM_ECR_ENDPOINT: ecr.endpoint,
  });
  beforeEach(async () => {
    ecr = await startEcrStandIn(CREDENTIALS, 'eu-west-1');
    ecr.addImage(REPO.registryId, REPO.repositoryName, DIGEST, ['1.2.3']);
  });
  afterEach(() => ecr.close());

  it('parses an ECR image repository, and nothing else', () => {
    expect(parseEcrRepository('222222222222.dkr.ecr.eu-west-1.amazonaws.com/team/metrics-app')).toEqual(REPO);
    expect(parseEcrRepository('ghcr.io/example-org/metrics-app')).toBeUndefined();
  });

  it('finds a present digest with its tags and reports an absent one (ImageNotFoundException)', async () => {
    const lookup = ecrImageLookup(env());
    await expect(lookup(REPO, DIGEST)).resolves.toEqual({ found: true, tags: ['1.2.3'] });
    await expect(lookup(REPO, OTHER)).resolves.toEqual({ found: false, tags: [] });
    expect(ecr.requests).toHaveLength(2);
  });

  it('a missing repository is an error that says to sync the target, not "absent"', async () => {
    await expect(ecrImageLookup(env())({ ...REPO, repositoryName: 'other' }, DIGEST)).rejects.toThrow(
      /ECR refused DescribeImages on 222222222222\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/other: HTTP 400 RepositoryNotFoundException: .*has not created its Repository yet/,
    );
  });

  it('credentials the server does not accept are an error naming them', async () => {
    await expect(ecrImageLookup({ ...env(), AWS_SECRET_ACCESS_KEY: 'wrong' })(REPO, DIGEST)).rejects.toThrow(
      /HTTP 403 InvalidSignatureException: .*\(the AWS credentials in the environment are not valid here\)/,
    );
  });

  it('without credentials, says which variable is missing before any request', async () => {
    await expect(ecrImageLookup({ PLATFORM_ECR_ENDPOINT: ecr.endpoint })(REPO, DIGEST)).rejects.toThrow(
      /^AWS_ACCESS_KEY_ID: not set; expected AWS credentials allowed ecr:DescribeImages on 222222222222\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/team\/metrics-app/,
    );
    expect(ecr.requests).toEqual([]);
  });

  it('an unreachable endpoint is a one-line error, and PLATFORM_ECR_ENDPOINT must be an http(s) URL', async () => {
    const closed = ecr.endpoint;
    await ecr.close();
    await expect(ecrImageLookup({ ...env(), PLATFORM_ECR_ENDPOINT: closed })(REPO, DIGEST)).rejects.toThrow(
      new RegExp(`^cannot ask ECR \\(${closed.replace(/[.]/g, '\\.')}\\) whether .* has ${DIGEST}: ECONNREFUSED$`),
    );
    ecr = await startEcrStandIn(CREDENTIALS, 'eu-west-1');
    expect(() => ecrEndpoint({ PLATFORM_ECR_ENDPOINT: 'ftp://x' }, 'eu-west-1')).toThrow(
      'PLATFORM_ECR_ENDPOINT: got "ftp://x"; expected an http(s):// URL of an ECR API endpoint',
    );
    expect(ecrEndpoint({}, 'eu-west-1').host).toBe('api.ecr.eu-west-1.amazonaws.com');
  });
});
