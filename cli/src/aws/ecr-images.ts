import { CliError, UsageError } from '../util/errors';
import { signRequest, type AwsCredentials } from './sigv4';

/**
 * Does an ECR registry have an image? ECR's DescribeImages (JSON 1.1 API), signed with SigV4 from the standard AWS
 * environment credentials. The endpoint is ECR's regional API unless PLATFORM_ECR_ENDPOINT says otherwise (tests
 * point it at a stand-in on 127.0.0.1).
 */

/** An image in a private ECR repository, parsed from `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
export interface EcrRepository {
  readonly registryId: string;
  readonly region: string;
  readonly repositoryName: string;
}

const ECR_REPOSITORY = /^([0-9]{12})\.dkr\.ecr\.([a-z]{2}(?:-gov)?-[a-z]+-[0-9])\.amazonaws\.com(?:\.cn)?\/(.+)$/;

/** The registry, region and name of an ECR image repository, or undefined for another registry. */
export function parseEcrRepository(repository: string): EcrRepository | undefined {
  const m = ECR_REPOSITORY.exec(repository);
  return m ? { registryId: m[1]!, region: m[2]!, repositoryName: m[3]! } : undefined;
}

export type ImageLookup = (repo: EcrRepository, digest: string) => Promise<{ found: boolean; tags: readonly string[] }>;

export const ENDPOINT_VARIABLE = 'PLATFORM_ECR_ENDPOINT';
const TARGET = 'AmazonEC2ContainerRegistry_V20150921.DescribeImages';
/** One request never takes longer than this. */
export const ECR_REQUEST_TIMEOUT_MS = 30_000;

/** AWS credentials from the standard environment variables, or a one-line error naming the missing one. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv, what: string): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  for (const [name, value] of [
    ['AWS_ACCESS_KEY_ID', accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', secretAccessKey],
  ] as const) {
    if (value === undefined || value === '') {
      throw new CliError(
        `${name}: not set; expected AWS credentials allowed ${what} (the promote workflow assumes the target's check role by OIDC; locally: eval "$(aws configure export-credentials --format env)")`,
      );
    }
  }
  const token = env.AWS_SESSION_TOKEN;
  return { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey!, ...(token ? { sessionToken: token } : {}) };
}

/** The DescribeImages endpoint of a region: PLATFORM_ECR_ENDPOINT (checked), else ECR's regional API. */
export function ecrEndpoint(env: NodeJS.ProcessEnv, region: string): URL {
  const override = env[ENDPOINT_VARIABLE];
  if (override === undefined || override === '') return new URL(`https://api.ecr.${region}.amazonaws.com/`);
  let url: URL | undefined;
  try {
    url = new URL(override);
  } catch {
    url = undefined;
  }
  if (url === undefined || !['http:', 'https:'].includes(url.protocol) || url.username !== '' || url.password !== '') {
    throw new UsageError(
      `${ENDPOINT_VARIABLE}: got ${JSON.stringify(override)}; expected an http(s):// URL of an ECR API endpoint`,
    );
  }
  return url;
}

/** The error type of an AWS JSON error answer (`__type`, possibly `namespace#Type`, or the x-amzn-errortype header). */
function errorType(body: string, header: string | null): { type: string; message: string } {
  let parsed: { __type?: unknown; message?: unknown; Message?: unknown } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    parsed = {};
  }
  const raw = typeof parsed.__type === 'string' ? parsed.__type : (header ?? '').split(':')[0]!;
  const message =
    typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : '';
  return { type: raw.split('#').pop() ?? raw, message };
}

/**
 * An ImageLookup that calls ECR. `found: false` only for ECR's ImageNotFoundException; every other failure
 * (credentials, permissions, a missing repository, the network) is a CliError that says which.
 */
export function ecrImageLookup(env: NodeJS.ProcessEnv = process.env, now: () => Date = () => new Date()): ImageLookup {
  return async (repo, digest) => {
    const where = `${repo.registryId}.dkr.ecr.${repo.region}.amazonaws.com/${repo.repositoryName}`;
    const credentials = credentialsFromEnv(env, `ecr:DescribeImages on ${where}`);
    const url = ecrEndpoint(env, repo.region);
    const body = JSON.stringify({
      registryId: repo.registryId,
      repositoryName: repo.repositoryName,
      imageIds: [{ imageDigest: digest }],
    });
    const headers = signRequest({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET },
      body,
      region: repo.region,
      service: 'ecr',
      credentials,
      now: now(),
    });
    delete headers.host; // fetch sets it from the URL (the signed value is the same)
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(ECR_REQUEST_TIMEOUT_MS) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${ECR_REQUEST_TIMEOUT_MS / 1000} s`
          : (cause?.code ?? cause?.message ?? (err as Error).message);
      throw new CliError(`cannot ask ECR (${url.origin}) whether ${where} has ${digest}: ${why}`);
    }
    const text = await res.text();
    if (res.ok) {
      let details: { imageDetails?: { imageDigest?: string; imageTags?: string[] }[] } = {};
      try {
        details = JSON.parse(text) as typeof details;
      } catch {
        throw new CliError(
          `ECR (${url.origin}) answered DescribeImages for ${where} with something other than JSON: ${text.slice(0, 200)}`,
        );
      }
      const image = (details.imageDetails ?? []).find((d) => d.imageDigest === digest);
      return image === undefined ? { found: false, tags: [] } : { found: true, tags: image.imageTags ?? [] };
    }
    const { type, message } = errorType(text, res.headers.get('x-amzn-errortype'));
    if (type === 'ImageNotFoundException') return { found: false, tags: [] };
    const hint =
      type === 'RepositoryNotFoundException'
        ? ' (the target environment has not created its Repository yet: sync it first)'
        : type === 'AccessDeniedException'
          ? ` (the credentials need ecr:DescribeImages on ${where}: the target's check role, status.checkRoleArn of its RegistryReplicationGrant)`
          : /UnrecognizedClient|InvalidSignature|ExpiredToken|SignatureDoesNotMatch/.test(type)
            ? ' (the AWS credentials in the environment are not valid here)'
            : '';
    throw new CliError(
      `ECR refused DescribeImages on ${where}: HTTP ${res.status} ${type || 'error'}${message ? `: ${message}` : ''}${hint}`,
    );
  };
}
