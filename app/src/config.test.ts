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
