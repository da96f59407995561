import type { StatsD } from 'hot-shots';
import type { AppConfig } from './config';
import { qualifiedMetricName } from './config';
import { MetricsEmitter } from './emitter';
import { ErrorReporter } from './error-reporter';
import { ProbeServer } from './http-server';
import type { Logger } from './logger';
import { Ticker } from './ticker';
import { closeStatsdClient, createStatsdClient, lineSinkOf } from './statsd-client';
import { TcpLineStream } from './tcp-line-stream';

export interface MetricsAppProps {
  readonly config: AppConfig;
  readonly logger: Logger;
  /** Use hot-shots' mock mode (nothing sent; payloads kept in `client.mockBuffer`). @default false */
  readonly mockClient?: boolean;
}

/** Share of the shutdown budget the final flush may take, so the rest of the shutdown fits before the deadline. */
const CLIENT_CLOSE_SHARE = 0.8;

/**
 * The app: a send loop that emits the delay timer every interval through a buffered hot-shots client, plus the
 * probe/stats HTTP server. `start()` brings it up; `stop()` stops the loop, flushes and closes the client, then the
 * server, each bounded by the shutdown budget.
 */
export class MetricsApp {
  readonly client: StatsD;
  /** The TCP connection to statsd (`METRICS_PROTOCOL=tcp`, not in mock mode). */
  private readonly tcp: TcpLineStream | undefined;
  private readonly config: AppConfig;
  private readonly logger: Logger;
  private readonly errors: ErrorReporter;
  private readonly emitter: MetricsEmitter;
  private readonly server: ProbeServer;
  private readonly loop: Ticker;
  private readonly startedAt = process.hrtime.bigint();
  private ready = false;
  private stopping = false;

  constructor(props: MetricsAppProps) {
    this.config = props.config;
    this.logger = props.logger;
    this.errors = new ErrorReporter({ logger: this.logger.child({ component: 'statsd-client' }) });
    const mock = props.mockClient ?? false;
    this.tcp =
      this.config.protocol === 'tcp' && !mock
        ? new TcpLineStream({
            host: this.config.backendHost,
            port: this.config.backendPort,
            maxQueuedBytes: this.config.tcpQueueBytes,
            onError: this.errors.report,
          })
        : undefined;
    this.client = createStatsdClient({
      config: this.config,
      errorHandler: this.errors.report,
      mock,
      tcpStream: this.tcp,
    });
    this.emitter = new MetricsEmitter({
      sink: lineSinkOf(this.client),
      metricName: qualifiedMetricName(this.config),
      sampleRate: this.config.sampleRate,
      maxPayloadBytes: this.config.bufferSize,
    });
    this.loop = new Ticker({
      intervalMs: this.config.intervalMs,
      onTick: () => this.emitter.emitRandomDelays(this.config.metricsPerTick),
    });
    this.server = new ProbeServer({
      port: this.config.httpPort,
      isReady: () => this.ready && !this.stopping,
      stats: () => this.stats(),
      logger: this.logger,
    });
  }

  /** Starts the HTTP server and the send loop (first tick at once); resolves with the HTTP port. */
  async start(): Promise<number> {
    const port = await this.server.listen();
    // A signal that arrived while the server was binding has already stopped the app: start nothing.
    if (this.stopping) return port;
    const { config } = this;
    this.logger.info(
      {
        backend: `${config.protocol}://${config.backendHost}:${config.backendPort}`,
        metric: qualifiedMetricName(config),
        intervalMs: config.intervalMs,
        metricsPerTick: config.metricsPerTick,
        sampleRate: config.sampleRate,
        bufferSize: config.bufferSize,
        flushIntervalMs: config.flushIntervalMs,
      },
      'sending metrics',
    );
    this.tcp?.start();
    this.loop.start();
    this.ready = true;
    return port;
  }

  /** Graceful stop; never rejects: a failed or slow flush is logged and the rest still closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.loop.stop();
    const budgetMs = Math.floor(this.config.shutdownTimeoutMs * CLIENT_CLOSE_SHARE);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      closeStatsdClient(this.client).then((error): { error?: Error } => ({ error })),
      new Promise<{ timedOut: true }>((resolve) => {
        timer = setTimeout(() => resolve({ timedOut: true }), budgetMs);
      }),
    ]);
    clearTimeout(timer);
    if (this.tcp !== undefined) {
      // TCP knows what it could not send: say it was lost only when something was.
      if ('timedOut' in outcome) this.tcp.abort();
      const { lostMetrics, lostBytes } = await this.tcp.closed;
      if (lostMetrics > 0) {
        this.logger.warn(
          { lostMetrics, lostBytes, budgetMs, timedOut: 'timedOut' in outcome },
          'final flush incomplete: queued metrics were lost',
        );
      }
    } else if ('timedOut' in outcome) {
      this.logger.warn({ budgetMs }, 'final flush did not finish in time: buffered metrics may be lost');
    } else if (outcome.error !== undefined) {
      this.logger.warn(
        { err: { code: (outcome.error as NodeJS.ErrnoException).code, message: outcome.error.message } },
        'final flush failed: buffered metrics were lost',
      );
    }
    await this.server.close();
    this.logger.info(
      {
        metricsSent: this.emitter.sent,
        errors: this.errors.total,
        errorsByCode: this.errors.byCode(),
        ...(this.tcp === undefined ? {} : { transport: this.tcp.stats }),
      },
      'metrics client closed',
    );
  }

  /** The `/stats` document. */
  stats(): object {
    const memory = process.memoryUsage();
    return {
      uptimeSeconds: Number(process.hrtime.bigint() - this.startedAt) / 1e9,
      ready: this.ready && !this.stopping,
      shuttingDown: this.stopping,
      backend: { host: this.config.backendHost, port: this.config.backendPort, protocol: this.config.protocol },
      metric: qualifiedMetricName(this.config),
      ticks: this.loop.ticks,
      metricsSent: this.emitter.sent,
      metricsSampledOut: this.emitter.sampledOut,
      payloads: this.emitter.payloads,
      errors: this.errors.total,
      errorsByCode: this.errors.byCode(),
      ...(this.tcp === undefined ? {} : { transport: this.tcp.stats }),
      memory: {
        rssBytes: memory.rss,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        heapUsedBytes: memory.heapUsed,
      },
    };
  }
}
