import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonProcess, freeTcpPort, freeUdpPort, waitForTcpPort } from './daemon-process';

export interface StatsdDaemonProps {
  /** Directory for the generated config file. */
  readonly workDir: string;
  /** carbon's plaintext line receiver (or a stand-in) on 127.0.0.1. */
  readonly graphitePort: number;
  /** statsd flushInterval. @default 1000 */
  readonly flushIntervalMs?: number;
  /**
   * UDP receive buffer (the kernel caps it at net.core.rmem_max), or 'kernel-default' for statsd's own UDP server,
   * which sets none (net.core.rmem_default, typically 208 KiB: what the graphite-statsd image runs). @default 8 MiB
   */
  readonly recvBufferSize?: number | 'kernel-default';
  /** Transport statsd listens on: UDP (with `recvBufferSize`) or its TCP server. @default 'udp' */
  readonly protocol?: 'udp' | 'tcp';
  /** Port to listen on, e.g. the previous daemon's to restart it in place. @default a free port */
  readonly port?: number;
  /** @default 10000 */
  readonly startTimeoutMs?: number;
}

/**
 * statsd 0.9.0 (its last release) calls util.log, which Node 23 removed: on Node 24 (the Docker test image) it dies
 * at start-up. Restore that one function, a timestamped console.log as it was, before statsd loads.
 */
const UTIL_LOG_SHIM =
  "data:text/javascript,import util from 'node:util';" +
  "if (typeof util.log !== 'function') util.log = (...a) => console.log(new Date().toISOString() + ' - ' + util.format(...a));";

/** statsd 0.9 from node_modules (the devDependency), UDP or TCP and management port on 127.0.0.1, graphite backend. */
export class StatsdDaemon {
  static readonly STATS_JS = require.resolve('statsd/stats.js');
  /** The built custom UDP server (app/lib): statsd loads it with plain `require`. */
  static readonly UDP_SERVER_JS = join(
    __dirname,
    '..',
    '..',
    '..',
    'lib',
    'testing',
    'daemons',
    'statsd-udp-server.js',
  );

  private constructor(
    readonly process: DaemonProcess,
    readonly port: number,
    readonly managementPort: number,
  ) {}

  static async start(props: StatsdDaemonProps): Promise<StatsdDaemon> {
    if (!existsSync(StatsdDaemon.UDP_SERVER_JS)) {
      throw new Error(`${StatsdDaemon.UDP_SERVER_JS} is missing: run \`npm run build\` first`);
    }
    const protocol = props.protocol ?? 'udp';
    const port = props.port ?? (protocol === 'udp' ? await freeUdpPort() : await freeTcpPort());
    const managementPort = await freeTcpPort();
    const configFile = join(props.workDir, 'statsd-config.js');
    // statsd evaluates its config file as a JavaScript expression; JSON is one.
    const config = {
      graphiteHost: '127.0.0.1',
      graphitePort: props.graphitePort,
      flushInterval: props.flushIntervalMs ?? 1000,
      backends: ['./backends/graphite'],
      servers: [
        protocol === 'udp' && props.recvBufferSize === 'kernel-default'
          ? { server: './servers/udp', address: '127.0.0.1', port }
          : protocol === 'udp'
            ? {
                server: StatsdDaemon.UDP_SERVER_JS,
                address: '127.0.0.1',
                port,
                recvBufferSize: props.recvBufferSize ?? 8 * 1024 * 1024,
              }
            : // statsd resolves its own server modules relative to stats.js.
              { server: './servers/tcp', address: '127.0.0.1', port },
      ],
      mgmt_address: '127.0.0.1',
      mgmt_port: managementPort,
      // statsd renames its process title unless told not to; it is stopped by PID anyway.
      title: false,
      automaticConfigReload: false,
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const daemon = new DaemonProcess('statsd', process.execPath, [
      `--import=${UTIL_LOG_SHIM}`,
      StatsdDaemon.STATS_JS,
      configFile,
    ]);
    try {
      await waitForTcpPort(daemon, managementPort, props.startTimeoutMs ?? 10_000);
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return new StatsdDaemon(daemon, port, managementPort);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  /** SIGKILL: statsd gets no chance to flush or close its connections cleanly (the kernel closes them). */
  kill(): Promise<void> {
    return this.process.kill();
  }
}
