import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signRequest, type AwsCredentials } from '../aws/sigv4';

/**
 * A stand-in for ECR's DescribeImages on 127.0.0.1 (tests only). It refuses a request whose SigV4 signature is
 * malformed or does not match the credentials it was given over the headers it received, and answers like ECR:
 * the image details of a known digest, ImageNotFoundException for an unknown one, RepositoryNotFoundException for an
 * unknown repository. A digest can be scheduled to "arrive" after some requests, like a replication that lags.
 */
export interface EcrStandIn {
  readonly endpoint: string;
  /** Requests seen, in order. */
  readonly requests: { target: string; body: Record<string, unknown>; authorization: string }[];
  /** Makes `digest` present in `registryId/repositoryName` (after `afterRequests` more requests). */
  addImage(registryId: string, repositoryName: string, digest: string, tags: string[], afterRequests?: number): void;
  close(): Promise<void>;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/ecr\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startEcrStandIn(credentials: AwsCredentials, region: string): Promise<EcrStandIn> {
  const images = new Map<string, { tags: string[]; availableAt: number }>();
  const repositories = new Set<string>();
  const requests: EcrStandIn['requests'] = [];
  const error = (status: number, type: string, message: string) => ({ status, body: { __type: type, message } });

  const answer = async (req: IncomingMessage): Promise<{ status: number; body: unknown }> => {
    const text = await readBody(req);
    const authorization = String(req.headers.authorization ?? '');
    const target = String(req.headers['x-amz-target'] ?? '');
    const m = AUTH.exec(authorization);
    if (req.method !== 'POST' || req.url !== '/')
      return error(404, 'UnknownOperationException', `${req.method} ${req.url}`);
    if (m === null) return error(400, 'IncompleteSignatureException', `malformed authorization: ${authorization}`);
    const [, keyId, day, signedRegion, signedHeaders] = m;
    if (keyId !== credentials.accessKeyId)
      return error(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (signedRegion !== region || day !== String(req.headers['x-amz-date'] ?? '').slice(0, 8))
      return error(400, 'InvalidSignatureException', 'scope does not match region or date');
    if (credentials.sessionToken !== undefined && req.headers['x-amz-security-token'] !== credentials.sessionToken)
      return error(400, 'UnrecognizedClientException', 'session token missing or wrong');
    const names = signedHeaders!.split(';');
    for (const required of ['content-type', 'host', 'x-amz-date', 'x-amz-target']) {
      if (!names.includes(required)) return error(400, 'InvalidSignatureException', `${required} is not signed`);
    }
    // Recompute the signature over what arrived: the signed headers must be exactly the ones sent.
    const received: Record<string, string> = {};
    for (const n of names)
      if (n !== 'host' && n !== 'x-amz-date' && n !== 'x-amz-security-token')
        received[n] = String(req.headers[n] ?? '');
    const date = String(req.headers['x-amz-date']);
    const now = new Date(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
    );
    const expected = signRequest({
      method: 'POST',
      url: new URL(`http://${String(req.headers.host)}/`),
      headers: received,
      body: text,
      region,
      service: 'ecr',
      credentials,
      now,
    });
    if (expected.authorization !== authorization)
      return error(
        403,
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided.',
      );
    if (target !== 'AmazonEC2ContainerRegistry_V20150921.DescribeImages')
      return error(400, 'UnknownOperationException', target);
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1')
      return error(400, 'SerializationException', 'content type');
    const body = JSON.parse(text) as {
      registryId?: string;
      repositoryName?: string;
      imageIds?: { imageDigest?: string }[];
    };
    requests.push({ target, body: body as Record<string, unknown>, authorization });
    const repoKey = `${body.registryId}/${body.repositoryName}`;
    if (!repositories.has(repoKey))
      return error(
        400,
        'RepositoryNotFoundException',
        `The repository with name '${body.repositoryName}' does not exist in the registry with id '${body.registryId}'`,
      );
    const digest = body.imageIds?.[0]?.imageDigest ?? '';
    const image = images.get(`${repoKey}@${digest}`);
    if (image === undefined || requests.length <= image.availableAt) {
      return error(
        400,
        'ImageNotFoundException',
        `The image with imageId {imageDigest:'${digest}', imageTag:'null'} does not exist within the repository with name '${body.repositoryName}' in the registry with id '${body.registryId}'`,
      );
    }
    return {
      status: 200,
      body: {
        imageDetails: [
          {
            registryId: body.registryId,
            repositoryName: body.repositoryName,
            imageDigest: digest,
            imageTags: image.tags,
            imagePushedAt: 1_767_225_600,
          },
        ],
      },
    };
  };

  const server: Server = createServer((req, res) => {
    answer(req).then(
      ({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      },
      (err: Error) => {
        res.writeHead(500);
        res.end(err.message);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    addImage(registryId, repositoryName, digest, tags, afterRequests = 0) {
      repositories.add(`${registryId}/${repositoryName}`);
      images.set(`${registryId}/${repositoryName}@${digest}`, { tags, availableAt: requests.length + afterRequests });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
