import { createSocket } from 'node:dgram';
import { StatsD } from 'hot-shots';
import { MetricsEmitter } from '../emitter';
import { createStatsdClient, closeStatsdClient, lineSinkOf } from '../statsd-client';

/** Something that sends `count` statsd timers of random 0..1000 ms to 127.0.0.1:port, then can be flushed. */
export interface BenchEmitter {
  emit(count: number): void;
  close(): Promise<void>;
}

export const BENCH_METRIC = 'bench.test.core.delay';
/** The app's default buffer: a 1500-byte Ethernet MTU minus IP and UDP headers, with room for IP options. */
export const BUFFER_BYTES = 1432;

const randomDelay = () => Math.floor(Math.random() * 1001);

/** The contenders, all measured with the same line format and the same random values. */
export const EMITTERS = {
  /** Baseline: one `dgram` packet per metric on a connected socket (no per-send address lookup). */
  'raw-dgram': async (port: number): Promise<BenchEmitter> => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
    return {
      emit(count) {
        for (let i = 0; i < count; i++) socket.send(`${BENCH_METRIC}:${randomDelay()}|ms`);
      },
      close: () => new Promise((resolve) => socket.close(() => resolve())),
    };
  },
  /** hot-shots `timing()` with no buffer: one datagram per metric. */
  'hot-shots-unbuffered': async (port: number) => hotShots(port, 0),
  /** hot-shots `timing()` with a 1432-byte buffer. */
  'hot-shots-buffered': async (port: number) => hotShots(port, BUFFER_BYTES),
  /** The app's emitter and client, exactly as `main.js` builds them with the default buffer. */
  'app-emitter': async (port: number): Promise<BenchEmitter> => {
    const client = createStatsdClient({
      config: {
        backendHost: '127.0.0.1',
        backendPort: port,
        protocol: 'udp',
        bufferSize: BUFFER_BYTES,
        flushIntervalMs: 1000,
      },
      errorHandler: failOnError,
    });
    const emitter = new MetricsEmitter({
      sink: lineSinkOf(client),
      metricName: BENCH_METRIC,
      maxPayloadBytes: BUFFER_BYTES,
    });
    return {
      emit: (count) => emitter.emitRandomDelays(count),
      close: async () => void (await closeStatsdClient(client)),
    };
  },
} as const satisfies Record<string, (port: number) => Promise<BenchEmitter>>;

export type EmitterName = keyof typeof EMITTERS;

function hotShots(port: number, maxBufferSize: number): BenchEmitter {
  const client = new StatsD({
    host: '127.0.0.1',
    port,
    maxBufferSize,
    bufferFlushInterval: 1000,
    cacheDns: true,
    errorHandler: failOnError,
  });
  return {
    emit(count) {
      for (let i = 0; i < count; i++) client.timing(BENCH_METRIC, randomDelay());
    },
    close: async () => void (await closeStatsdClient(client)),
  };
}

function failOnError(error: Error): void {
  // A send error would make the figures meaningless: stop the run loudly.
  throw error;
}
