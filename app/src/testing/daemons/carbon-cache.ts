import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonProcess, freeTcpPort, waitForTcpPort } from './daemon-process';

export interface CarbonCacheProps {
  /** Fresh directory: config, whisper files, logs and pid file all go below it. */
  readonly workDir: string;
  /** storage-schemas.conf retention for every metric. @default '1s:1h' */
  readonly retention?: string;
  /** @default 30000 (twistd imports a lot on a busy 2-core machine) */
  readonly startTimeoutMs?: number;
}

/** Debian's carbon-cache (graphite-carbon), in the foreground, every listener on 127.0.0.1 on a free port. */
export class CarbonCache {
  static readonly BINARY = '/usr/bin/carbon-cache';

  private constructor(
    readonly process: DaemonProcess,
    /** Plaintext line receiver (`name value timestamp`), where statsd's graphite backend writes. */
    readonly linePort: number,
    /** Cache query port, which graphite-web asks for points not yet written to whisper. */
    readonly cacheQueryPort: number,
    readonly whisperDir: string,
    readonly configDir: string,
  ) {}

  static async start(props: CarbonCacheProps): Promise<CarbonCache> {
    const storageDir = join(props.workDir, 'storage');
    const whisperDir = join(storageDir, 'whisper');
    const configDir = join(props.workDir, 'carbon-conf');
    for (const dir of [whisperDir, join(storageDir, 'log'), join(storageDir, 'lists'), configDir]) {
      mkdirSync(dir, { recursive: true });
    }
    const [linePort, picklePort, cacheQueryPort] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
    writeFileSync(
      join(configDir, 'carbon.conf'),
      [
        '[cache]',
        `STORAGE_DIR = ${storageDir}/`,
        `LOCAL_DATA_DIR = ${whisperDir}/`,
        `WHITELISTS_DIR = ${storageDir}/lists/`,
        `CONF_DIR = ${configDir}/`,
        `LOG_DIR = ${storageDir}/log/`,
        `PID_DIR = ${storageDir}/`,
        'DATABASE = whisper',
        'ENABLE_LOGROTATION = False',
        'MAX_CACHE_SIZE = inf',
        'MAX_UPDATES_PER_SECOND = inf',
        // Every test metric is new: carbon's default (50/min) would delay their first points by minutes.
        'MAX_CREATES_PER_MINUTE = inf',
        'ENABLE_TAGS = False',
        'LINE_RECEIVER_INTERFACE = 127.0.0.1',
        `LINE_RECEIVER_PORT = ${linePort}`,
        'ENABLE_UDP_LISTENER = False',
        'PICKLE_RECEIVER_INTERFACE = 127.0.0.1',
        `PICKLE_RECEIVER_PORT = ${picklePort}`,
        'CACHE_QUERY_INTERFACE = 127.0.0.1',
        `CACHE_QUERY_PORT = ${cacheQueryPort}`,
        'WHISPER_AUTOFLUSH = True',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(configDir, 'storage-schemas.conf'),
      `[everything]\npattern = .*\nretentions = ${props.retention ?? '1s:1h'}\n`,
    );
    const daemon = new DaemonProcess('carbon-cache', CarbonCache.BINARY, [
      `--config=${join(configDir, 'carbon.conf')}`,
      '--nodaemon',
      'start',
    ]);
    try {
      await waitForTcpPort(daemon, linePort, props.startTimeoutMs ?? 30_000);
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return new CarbonCache(daemon, linePort, cacheQueryPort, whisperDir, configDir);
  }

  /** Where carbon keeps a metric's points: one whisper file per dotted name. */
  whisperFile(metric: string): string {
    return join(this.whisperDir, ...metric.split('.')) + '.wsp';
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}
