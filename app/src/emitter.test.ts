import { MetricsEmitter } from './emitter';
import { createStatsdClient, lineSinkOf } from './statsd-client';
import type { StatsD } from 'hot-shots';

const baseConfig = { backendHost: '127.0.0.1', backendPort: 8125, protocol: 'udp' as const, flushIntervalMs: 1000 };

function mockClient(bufferSize: number): StatsD {
  return createStatsdClient({ config: { ...baseConfig, bufferSize }, errorHandler: () => undefined, mock: true });
}

/** Deterministic random source cycling through `values`. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

describe('MetricsEmitter (hot-shots mock client)', () => {
  const clients: StatsD[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  const client = (bufferSize: number) => {
    const c = mockClient(bufferSize);
    clients.push(c);
    return c;
  };

  it('sends test.core.delay as a statsd timer of 0..1000 ms', () => {
    const c = client(0);
    const emitter = new MetricsEmitter({
      sink: lineSinkOf(c),
      metricName: 'test.core.delay',
      maxPayloadBytes: 0,
      random: sequence(0, 0.5, 0.9999),
    });
    emitter.emitRandomDelays(3);
    expect(c.mockBuffer).toEqual(['test.core.delay:0|ms', 'test.core.delay:500|ms', 'test.core.delay:1000|ms']);
    expect(emitter.sent).toBe(3);
    expect(emitter.payloads).toBe(3);
  });

  it('produces the same line as hot-shots timing() for the same value', () => {
    const c = client(0);
    new MetricsEmitter({
      sink: lineSinkOf(c),
      metricName: 'p.test.core.delay',
      maxPayloadBytes: 0,
      random: () => 0.123,
    }).emitRandomDelays(1);
    c.timing('p.test.core.delay', 123);
    expect(c.mockBuffer?.[0]).toBe(c.mockBuffer?.[1]);
  });

  it('packs lines into payloads of at most maxPayloadBytes', () => {
    const c = client(100);
    const emitter = new MetricsEmitter({ sink: lineSinkOf(c), metricName: 'test.core.delay', maxPayloadBytes: 100 });
    emitter.emitRandomDelays(50);
    const payloads = c.mockBuffer ?? [];
    expect(payloads.length).toBe(emitter.payloads);
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads.length).toBeLessThan(50);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(100);
    const lines = payloads.flatMap((p) => p.split('\n'));
    expect(lines).toHaveLength(50);
    for (const line of lines) expect(line).toMatch(/^test\.core\.delay:(\d|[1-9]\d{1,2}|1000)\|ms$/);
  });

  it('hands a line longer than the buffer over on its own rather than dropping it', () => {
    const c = client(10);
    new MetricsEmitter({ sink: lineSinkOf(c), metricName: 'test.core.delay', maxPayloadBytes: 10 }).emitRandomDelays(2);
    expect(c.mockBuffer).toHaveLength(2);
  });

  it('samples: drops timers with probability 1-r and tags the rest with |@r', () => {
    const c = client(0);
    // Each emitted timer draws twice (sample, then value); a sampled-out one draws once.
    const emitter = new MetricsEmitter({
      sink: lineSinkOf(c),
      metricName: 'm',
      sampleRate: 0.5,
      maxPayloadBytes: 0,
      random: sequence(0.1, 0.25, 0.7, 0.49, 0.5),
    });
    emitter.emitRandomDelays(3);
    expect(c.mockBuffer).toEqual(['m:250|ms|@0.5', 'm:500|ms|@0.5']);
    expect(emitter.sent).toBe(2);
    expect(emitter.sampledOut).toBe(1);
  });

  it('writes tiny sample rates without exponent notation, which statsd would misread', () => {
    const c = client(0);
    new MetricsEmitter({
      sink: lineSinkOf(c),
      metricName: 'm',
      sampleRate: 1e-7,
      maxPayloadBytes: 0,
      random: () => 0,
    }).emitRandomDelays(1);
    expect(c.mockBuffer).toEqual(['m:0|ms|@0.0000001']);
  });

  it('rejects names that would break the statsd line protocol, and sample rates outside (0, 1]', () => {
    const sink = lineSinkOf(client(0));
    expect(() => new MetricsEmitter({ sink, metricName: 'a:b|c' })).toThrow(/metricName/);
    expect(() => new MetricsEmitter({ sink, metricName: 'm', sampleRate: 0 })).toThrow(/sampleRate/);
    expect(() => new MetricsEmitter({ sink, metricName: 'm', sampleRate: 1.1 })).toThrow(/sampleRate/);
  });
});

describe('lineSinkOf', () => {
  it('refuses a client without send()', () => {
    expect(() => lineSinkOf({} as StatsD)).toThrow(/not supported/);
  });
});
