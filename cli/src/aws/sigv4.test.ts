import { amzDate, signRequest } from './sigv4';

/** The "get-vanilla" and "post-vanilla" cases of AWS's published SigV4 test suite. */
const suite = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  region: 'us-east-1',
  service: 'service',
  now: new Date('2015-08-30T12:36:00Z'),
  url: new URL('https://example.amazonaws.com/'),
  headers: {},
  body: '',
};

describe('SigV4', () => {
  it('formats the request date as AWS does', () => {
    expect(amzDate(suite.now)).toBe('20150830T123600Z');
  });

  it('signs get-vanilla exactly as the AWS test suite', () => {
    expect(signRequest({ ...suite, method: 'GET' }).authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('signs post-vanilla exactly as the AWS test suite', () => {
    expect(signRequest({ ...suite, method: 'POST' }).authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    );
  });

  it('signs the session token of temporary credentials, and every given header', () => {
    const h = signRequest({
      ...suite,
      method: 'POST',
      headers: { 'X-Amz-Target': 'T', 'Content-Type': 'application/x-amz-json-1.1' },
      credentials: { ...suite.credentials, sessionToken: 'token' },
    });
    expect(h['x-amz-security-token']).toBe('token');
    expect(h.authorization).toMatch(
      /SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
  });
});
