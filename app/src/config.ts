import { isIP } from 'node:net';
import { z } from 'zod';
import { MAX_DELAY_MS, timerLineSuffix } from './emitter';

/**
 * The app's whole configuration, read once from the environment at start-up.
 * Every field has a default that reproduces the original `index.js` (a `test.core.delay` timer every 3 s).
 */
export interface AppConfig {
  /** Host name or IP address of the statsd daemon. @default 'graphite' */
  readonly backendHost: string;
  /** statsd port. @default 8125 */
  readonly backendPort: number;
  /** Transport to statsd. @default 'udp' */
  readonly protocol: 'udp' | 'tcp';
  /** Prepended to every metric name; empty or ending with its separator '.'. @default '' */
  readonly prefix: string;
  /** Timer name, without the prefix. @default 'test.core.delay' */
  readonly metricName: string;
  /** Time between two ticks of the send loop. @default 3000 */
  readonly intervalMs: number;
  /** Timers sent per tick (load tests raise it). @default 1 */
  readonly metricsPerTick: number;
  /** statsd sample rate, 0 < r <= 1. @default 1 */
  readonly sampleRate: number;
  /** Largest datagram (or TCP write) in bytes; 0 sends every metric on its own. @default 1432 */
  readonly bufferSize: number;
  /** Longest time a metric waits in the buffer; at or below statsd's 10 s flush. @default 1000 */
  readonly flushIntervalMs: number;
  /** TCP only: most bytes held while statsd is slow or away; beyond it metrics are dropped and counted. @default 4 MiB */
  readonly tcpQueueBytes: number;
  /** pino log level. @default 'info' */
  readonly logLevel: LogLevel;
  /** Port of the probe and stats HTTP server; 0 picks a free one. @default 8080 */
  readonly httpPort: number;
  /** Longest graceful shutdown before the process is forced out. @default 5000 */
  readonly shutdownTimeoutMs: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** statsd's own default flushInterval: a client that holds metrics longer would skip statsd flushes. */
export const STATSD_FLUSH_INTERVAL_MS = 10_000;

/** One environment variable: its default (as the string a user would write) and what it accepts. */
export interface EnvVariable {
  readonly name: string;
  readonly default: string;
  readonly expected: string;
  readonly schema: z.ZodType<unknown, string>;
}

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const METRIC_SEGMENT = '[A-Za-z0-9_-]+';

function variable<T>(name: string, def: string, expected: string, schema: z.ZodType<T, string>) {
  return { name, default: def, expected, schema } satisfies EnvVariable;
}

/** The single definition of every environment variable the app reads (docs/app.md mirrors it; a test checks). */
export const ENV_VARIABLES = {
  backendHost: variable(
    'METRICS_BACKEND_HOST',
    'graphite',
    'a DNS host name or an IP address',
    // An all-digit last label is no host name: the resolver reads `999.1.1.1` or `12345` as an IPv4 number.
    z.string().refine((v) => isIP(v) !== 0 || (HOSTNAME.test(v) && !/(^|\.)[0-9]+\.?$/.test(v))),
  ),
  backendPort: variable('METRICS_BACKEND_PORT', '8125', 'an integer from 1 to 65535', integer(1, 65535)),
  protocol: variable('METRICS_PROTOCOL', 'udp', 'one of: udp, tcp', z.enum(['udp', 'tcp'])),
  prefix: variable(
    'METRICS_PREFIX',
    '',
    'empty, or dot-separated segments of [A-Za-z0-9_-] ending with the separator "." (e.g. "myapp.")',
    z.string().regex(new RegExp(`^(${METRIC_SEGMENT}\\.)*$`)),
  ),
  metricName: variable(
    'METRICS_NAME',
    'test.core.delay',
    'dot-separated segments of [A-Za-z0-9_-], no leading or trailing "."',
    z.string().regex(new RegExp(`^${METRIC_SEGMENT}(\\.${METRIC_SEGMENT})*$`)),
  ),
  intervalMs: variable('METRICS_INTERVAL_MS', '3000', 'an integer from 1 to 86400000 (ms)', integer(1, 86_400_000)),
  metricsPerTick: variable('METRICS_PER_TICK', '1', 'an integer from 1 to 1000000', integer(1, 1_000_000)),
  sampleRate: variable(
    'METRICS_SAMPLE_RATE',
    '1',
    'a decimal number r with 0 < r <= 1',
    z
      .string()
      // Plain or exponent notation (what String(number) gives for small rates, e.g. "1e-7"); no hex, no "Infinity".
      .regex(/^([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/)
      .transform(Number)
      .pipe(z.number().gt(0).lte(1)),
  ),
  bufferSize: variable(
    'METRICS_BUFFER_SIZE',
    '1432',
    'an integer from 0 (unbuffered) to 65507 (bytes, the largest UDP payload)',
    integer(0, 65_507),
  ),
  flushIntervalMs: variable(
    'METRICS_FLUSH_INTERVAL_MS',
    '1000',
    `an integer from 1 to ${STATSD_FLUSH_INTERVAL_MS} (ms, at most statsd's flushInterval)`,
    integer(1, STATSD_FLUSH_INTERVAL_MS),
  ),
  tcpQueueBytes: variable(
    'METRICS_TCP_QUEUE_BYTES',
    '4194304',
    'an integer from 65536 to 67108864 (bytes held for a slow or absent TCP statsd; more is dropped)',
    integer(65_536, 64 * 1024 * 1024),
  ),
  logLevel: variable('LOG_LEVEL', 'info', `one of: ${LOG_LEVELS.join(', ')}`, z.enum(LOG_LEVELS)),
  httpPort: variable('HTTP_PORT', '8080', 'an integer from 0 (any free port) to 65535', integer(0, 65535)),
  shutdownTimeoutMs: variable(
    'SHUTDOWN_TIMEOUT_MS',
    '5000',
    'an integer from 100 to 600000 (ms)',
    integer(100, 600_000),
  ),
} as const satisfies Record<keyof AppConfig, EnvVariable>;

/** One rejected variable. */
export interface ConfigIssue {
  readonly variable: string;
  readonly value: string;
  readonly expected: string;
}

/** Thrown by {@link loadConfig}; its message names every bad variable, its value and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `invalid configuration: ${issues
        .map((i) => `${i.variable}=${shortValue(i.value)} is invalid, expected ${i.expected}`)
        .join('; ')}`,
    );
    this.name = 'ConfigError';
  }
}

/** The value as JSON, cut to 80 characters (a 70,000-character name would otherwise be the whole log line). */
function shortValue(value: string): string {
  return value.length <= 80
    ? JSON.stringify(value)
    : `${JSON.stringify(value.slice(0, 80))}... (${value.length} characters)`;
}

/** Reads and validates the configuration; throws {@link ConfigError} listing every invalid variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const issues: ConfigIssue[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(ENV_VARIABLES) as [keyof AppConfig, EnvVariable][]) {
    const raw = env[spec.name] ?? spec.default;
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) {
      values[key] = parsed.data;
    } else {
      issues.push({ variable: spec.name, value: raw, expected: spec.expected });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const config = values as unknown as AppConfig;
  const lineLimit = config.bufferSize > 0 ? config.bufferSize : MAX_UDP_PAYLOAD_BYTES;
  const longest = longestLineBytes(config);
  if (longest > lineLimit) {
    // Such a line would never fit a datagram (or exceed the buffer): every send would fail or be oversized.
    throw new ConfigError([
      {
        variable: ENV_VARIABLES.metricName.name,
        value: config.metricName,
        expected:
          `a name whose longest line (${longest} bytes: METRICS_PREFIX + METRICS_NAME + ":1000|ms" and the sample ` +
          `rate) fits METRICS_BUFFER_SIZE=${config.bufferSize} (${lineLimit} bytes), i.e. at most ` +
          `${Math.max(0, config.metricName.length - (longest - lineLimit))} characters here`,
      },
    ]);
  }
  return config;
}

/** Largest UDP payload over IPv4; also the line limit when unbuffered. */
export const MAX_UDP_PAYLOAD_BYTES = 65_507;

/** Bytes of the longest line the app can send: the largest delay (1000 ms) with the sample-rate suffix. */
export function longestLineBytes(config: Pick<AppConfig, 'prefix' | 'metricName' | 'sampleRate'>): number {
  return `${qualifiedMetricName(config)}:${MAX_DELAY_MS}${timerLineSuffix(config.sampleRate)}`.length;
}

/** The full timer name as statsd and Graphite see it (before statsd's `stats.timers.` namespace). */
export function qualifiedMetricName(config: Pick<AppConfig, 'prefix' | 'metricName'>): string {
  return `${config.prefix}${config.metricName}`;
}
