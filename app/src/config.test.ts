import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ENV_VARIABLES, loadConfig, qualifiedMetricName } from './config';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadConfig', () => {
  it('defaults to the original index.js behaviour: test.core.delay every 3 s to graphite:8125 over UDP', () => {
    expect(loadConfig({})).toEqual({
      backendHost: 'graphite',
      backendPort: 8125,
      protocol: 'udp',
      prefix: '',
      metricName: 'test.core.delay',
      intervalMs: 3000,
      metricsPerTick: 1,
      sampleRate: 1,
      bufferSize: 1432,
      flushIntervalMs: 1000,
      tcpQueueBytes: 4 * 1024 * 1024,
      logLevel: 'info',
      httpPort: 8080,
      shutdownTimeoutMs: 5000,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      METRICS_BACKEND_HOST: '10.0.0.7',
      METRICS_BACKEND_PORT: '9125',
      METRICS_PROTOCOL: 'tcp',
      METRICS_PREFIX: 'team-a.app_1.',
      METRICS_NAME: 'load.delay',
      METRICS_INTERVAL_MS: '10',
      METRICS_PER_TICK: '1000',
      METRICS_SAMPLE_RATE: '0.25',
      METRICS_BUFFER_SIZE: '0',
      METRICS_FLUSH_INTERVAL_MS: '10000',
      METRICS_TCP_QUEUE_BYTES: '65536',
      LOG_LEVEL: 'debug',
      HTTP_PORT: '0',
      SHUTDOWN_TIMEOUT_MS: '100',
    });
    expect(config).toMatchObject({
      backendHost: '10.0.0.7',
      backendPort: 9125,
      protocol: 'tcp',
      prefix: 'team-a.app_1.',
      intervalMs: 10,
      metricsPerTick: 1000,
      sampleRate: 0.25,
      bufferSize: 0,
      flushIntervalMs: 10000,
      tcpQueueBytes: 65536,
      logLevel: 'debug',
      httpPort: 0,
      shutdownTimeoutMs: 100,
    });
    expect(qualifiedMetricName(config)).toBe('team-a.app_1.load.delay');
  });

  it.each(['graphite', 'graphite.monitoring.svc.cluster.local', '127.0.0.1', '::1', 'statsd-0'])(
    'accepts host %s',
    (host) => expect(loadConfig({ METRICS_BACKEND_HOST: host }).backendHost).toBe(host),
  );

  it.each([
    ['METRICS_BACKEND_HOST', ''],
    ['METRICS_BACKEND_HOST', 'graphite:8125'],
    ['METRICS_BACKEND_HOST', 'http://graphite'],
    ['METRICS_BACKEND_HOST', '-graphite'],
    // Not an IP address, and no host name either: the resolver would read them as IPv4 numbers.
    ['METRICS_BACKEND_HOST', '999.1.1.1'],
    ['METRICS_BACKEND_HOST', '10.0.0.256'],
    ['METRICS_BACKEND_HOST', '12345'],
    ['METRICS_BACKEND_HOST', 'statsd.1'],
    ['METRICS_BACKEND_PORT', '0'],
    ['METRICS_BACKEND_PORT', '65536'],
    ['METRICS_BACKEND_PORT', '81.5'],
    ['METRICS_BACKEND_PORT', 'abc'],
    ['METRICS_BACKEND_PORT', ' 8125'],
    ['METRICS_BACKEND_PORT', ''],
    ['METRICS_PROTOCOL', 'UDP'],
    ['METRICS_PROTOCOL', 'uds'],
    ['METRICS_PREFIX', 'myapp'],
    ['METRICS_PREFIX', '.myapp.'],
    ['METRICS_PREFIX', 'my app.'],
    ['METRICS_PREFIX', 'a..'],
    ['METRICS_NAME', 'test.core.delay.'],
    ['METRICS_NAME', 'test:core'],
    ['METRICS_INTERVAL_MS', '0'],
    ['METRICS_INTERVAL_MS', '3s'],
    ['METRICS_INTERVAL_MS', '1e3'],
    ['METRICS_PER_TICK', '0'],
    ['METRICS_PER_TICK', '1000001'],
    ['METRICS_SAMPLE_RATE', '0'],
    ['METRICS_SAMPLE_RATE', '1.5'],
    ['METRICS_SAMPLE_RATE', '-0.5'],
    ['METRICS_SAMPLE_RATE', '0x1'],
    ['METRICS_SAMPLE_RATE', 'Infinity'],
    ['METRICS_SAMPLE_RATE', '2e0'],
    ['METRICS_SAMPLE_RATE', '.'],
    ['METRICS_BUFFER_SIZE', '-1'],
    ['METRICS_BUFFER_SIZE', '65508'],
    ['METRICS_FLUSH_INTERVAL_MS', '0'],
    ['METRICS_FLUSH_INTERVAL_MS', '10001'],
    ['METRICS_TCP_QUEUE_BYTES', '65535'],
    ['METRICS_TCP_QUEUE_BYTES', '67108865'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_LEVEL', 'INFO'],
    ['HTTP_PORT', '70000'],
    ['SHUTDOWN_TIMEOUT_MS', '99'],
    ['SHUTDOWN_TIMEOUT_MS', 'forever'],
  ])('rejects %s=%j naming the variable, the value and what is allowed', (name, value) => {
    const error = configError({ [name]: value });
    const spec = Object.values(ENV_VARIABLES).find((v) => v.name === name);
    expect(error.issues).toEqual([{ variable: name, value, expected: spec?.expected }]);
    expect(error.message).toContain(`${name}=${JSON.stringify(value)} is invalid, expected ${spec?.expected}`);
  });

  describe('a metric line must fit the buffer', () => {
    const name = (length: number) => `a${'.b'.repeat((length - 1) / 2)}`; // odd lengths

    it('accepts the longest name whose line fits METRICS_BUFFER_SIZE exactly', () => {
      // "<name>:1000|ms" is the name plus 8 bytes.
      expect(loadConfig({ METRICS_NAME: name(1423) }).metricName).toHaveLength(1423);
      expect(loadConfig({ METRICS_NAME: name(91), METRICS_BUFFER_SIZE: '99' }).metricName).toHaveLength(91);
    });

    it.each([
      ['1425 characters', { METRICS_NAME: name(1425) }, '1433 bytes', '=1432 (1432 bytes), i.e. at most 1424 '],
      ['1999 characters', { METRICS_NAME: name(1999) }, '2007 bytes', 'at most 1424 characters'],
      [
        '91 + a prefix',
        { METRICS_NAME: name(91), METRICS_PREFIX: 'p.', METRICS_BUFFER_SIZE: '99' },
        '101 bytes',
        'at most 89 ',
      ],
      [
        '91 + a rate',
        { METRICS_NAME: name(91), METRICS_SAMPLE_RATE: '0.5', METRICS_BUFFER_SIZE: '99' },
        '104 bytes',
        'at most 86 ',
      ],
      [
        '70001, unbuffered',
        { METRICS_NAME: name(70_001), METRICS_BUFFER_SIZE: '0' },
        '70009 bytes',
        '(65507 bytes), i.e. at most 65499 ',
      ],
    ])('refuses a name of %s at start-up, naming METRICS_NAME', (_label, env, lineBytes, limit) => {
      const error = configError(env);
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.variable).toBe('METRICS_NAME');
      expect(error.message).toMatch(/^invalid configuration: METRICS_NAME="a\.b.*\.\.\. \(\d+ characters\) is invalid/);
      expect(error.message).toContain(lineBytes);
      expect(error.message).toContain(limit);
      // One readable line, not the whole name.
      expect(error.message.length).toBeLessThan(400);
    });
  });

  it.each([
    ['1', 1],
    ['0.25', 0.25],
    ['.5', 0.5],
    ['1.0', 1],
    ['1e-7', 1e-7],
  ])('accepts METRICS_SAMPLE_RATE=%s', (raw, rate) => {
    expect(loadConfig({ METRICS_SAMPLE_RATE: raw }).sampleRate).toBe(rate);
  });

  it('reports every invalid variable at once', () => {
    const error = configError({ METRICS_BACKEND_PORT: 'x', METRICS_PROTOCOL: 'quic', LOG_LEVEL: 'loud' });
    expect(error.issues.map((i) => i.variable)).toEqual(['METRICS_BACKEND_PORT', 'METRICS_PROTOCOL', 'LOG_LEVEL']);
  });

  it('every default is itself valid', () => {
    for (const spec of Object.values(ENV_VARIABLES)) expect(spec.schema.safeParse(spec.default).success).toBe(true);
  });
});

describe('docs/app.md', () => {
  const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'app.md'), 'utf8');
  it.each(Object.values(ENV_VARIABLES).map((v) => [v.name, v]))('documents %s with its default', (name, spec) => {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${name}\``));
    expect(row).toBeDefined();
    expect(row).toContain(spec.default === '' ? '(empty)' : `\`${spec.default}\``);
  });
});
