import type { Writable } from 'node:stream';
import { StatsD } from 'hot-shots';
import type { AppConfig } from './config';
import type { TcpLineStream } from './tcp-line-stream';

/**
 * The one hot-shots entry point the emitter uses: `send(payload)` queues already formatted statsd lines into the
 * client's buffer (flushed when the next payload would overflow `maxBufferSize`, every `bufferFlushInterval` ms, and on
 * `close()`), or sends them at once when unbuffered. It is the method hot-shots' own `timing()` ends in; it is not in
 * its type declarations, so {@link lineSinkOf} checks it exists when the client is created rather than at first use.
 */
export interface StatsdLineSink {
  send(payload: string): void;
}

export interface StatsdClientProps {
  readonly config: Pick<AppConfig, 'backendHost' | 'backendPort' | 'protocol' | 'bufferSize' | 'flushIntervalMs'>;
  /** Receives every socket, DNS and send error; without it hot-shots would throw or print them. */
  readonly errorHandler: (error: Error) => void;
  /** Record payloads in `mockBuffer` instead of sending (unit tests). @default false */
  readonly mock?: boolean;
  /**
   * For `protocol: 'tcp'`: the connection hot-shots writes to instead of its own TCP transport, which gives up
   * reconnecting after a refused connect or a peer close and queues without limit. Required for TCP unless `mock`.
   */
  readonly tcpStream?: TcpLineStream;
}

/**
 * A hot-shots client for the configured backend (sampling is the emitter's job, so none is set here). DNS answers are cached for a minute (no lookup per datagram at load),
 * and a failed lookup or an unreachable backend only reaches `errorHandler`: the process never crashes on them.
 */
export function createStatsdClient(props: StatsdClientProps): StatsD {
  const { config } = props;
  const mock = props.mock ?? false;
  if (config.protocol === 'tcp' && !mock && props.tcpStream === undefined) {
    throw new Error("a TCP statsd client needs a tcpStream (hot-shots' own TCP transport does not reconnect)");
  }
  const transport =
    config.protocol === 'tcp' && props.tcpStream !== undefined
      ? // hot-shots uses only write(data, cb), destroy(), `destroyed` and the events of the stream it is given.
        { protocol: 'stream' as const, stream: props.tcpStream as unknown as Writable }
      : { protocol: config.protocol };
  return new StatsD({
    host: config.backendHost,
    port: config.backendPort,
    ...transport,
    maxBufferSize: config.bufferSize,
    bufferFlushInterval: config.flushIntervalMs,
    cacheDns: true,
    errorHandler: props.errorHandler,
    mock,
  });
}

/** The client's line sink; fails at start-up, not at the first metric, if a hot-shots upgrade removed it. */
export function lineSinkOf(client: StatsD): StatsdLineSink {
  const send: unknown = (client as unknown as Partial<StatsdLineSink>).send;
  if (typeof send !== 'function') {
    throw new Error('hot-shots client has no send(message) method: this hot-shots version is not supported');
  }
  return { send: (payload) => send.call(client, payload) };
}

/** Flushes the buffer and closes the socket; resolves (never rejects) once done, with the error if there was one. */
export function closeStatsdClient(client: StatsD): Promise<Error | undefined> {
  return new Promise((resolve) => {
    try {
      // hot-shots passes on the socket's 'close' argument, which for a net.Socket is the boolean `hadError`: only an
      // Error is a failure (treating `false` as one logged "buffered metrics were lost" after every clean TCP close).
      client.close((error: unknown) => resolve(error instanceof Error ? error : undefined));
    } catch (error) {
      resolve(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
