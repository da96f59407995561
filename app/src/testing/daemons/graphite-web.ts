import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CarbonCache } from './carbon-cache';
import { DaemonProcess, freeTcpPort, waitForTcpPort } from './daemon-process';

export interface GraphiteWebProps {
  readonly workDir: string;
  /** The carbon-cache whose whisper files (and cache) it serves. */
  readonly carbon: CarbonCache;
  /** @default 60000 (Django's first import is slow on a busy machine) */
  readonly startTimeoutMs?: number;
}

/** One series of the render API's JSON: `[value, unixSeconds]` pairs, `null` where nothing was written. */
export interface RenderSeries {
  readonly target: string;
  readonly datapoints: readonly [number | null, number][];
}

/**
 * Debian's graphite-web under gunicorn on 127.0.0.1, with its own settings module (via GRAPHITE_SETTINGS_MODULE) so
 * it reads the test's whisper directory and writes nothing outside the work directory.
 */
export class GraphiteWeb {
  static readonly GUNICORN = '/usr/bin/gunicorn';

  private constructor(
    readonly process: DaemonProcess,
    readonly port: number,
  ) {}

  static async start(props: GraphiteWebProps): Promise<GraphiteWeb> {
    const settingsDir = join(props.workDir, 'graphite-web');
    const storageDir = join(settingsDir, 'storage');
    mkdirSync(join(storageDir, 'log'), { recursive: true });
    const py = (value: unknown) => JSON.stringify(value);
    writeFileSync(
      join(settingsDir, 'e2e_local_settings.py'),
      [
        `SECRET_KEY = ${py(`e2e-${process.pid}-${Date.now()}`)}`,
        "GRAPHITE_ROOT = '/usr/share/graphite-web'",
        "STATIC_ROOT = '/usr/share/graphite-web/static'",
        `CONF_DIR = ${py(settingsDir)}`,
        `STORAGE_DIR = ${py(storageDir)}`,
        `WHISPER_DIR = ${py(props.carbon.whisperDir)}`,
        `STANDARD_DIRS = [${py(props.carbon.whisperDir)}]`,
        `LOG_DIR = ${py(join(storageDir, 'log'))}`,
        `INDEX_FILE = ${py(join(storageDir, 'index'))}`,
        `DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ${py(join(storageDir, 'graphite.db'))}}}`,
        // Points still in carbon's cache are served too, so a fresh point is visible before its whisper write.
        `CARBONLINK_HOSTS = [${py(`127.0.0.1:${props.carbon.cacheQueryPort}:a`)}]`,
        "TAGDB = ''",
        '',
      ].join('\n'),
    );
    const port = await freeTcpPort();
    const daemon = new DaemonProcess(
      'graphite-web',
      GraphiteWeb.GUNICORN,
      ['--bind', `127.0.0.1:${port}`, '--workers', '1', '--graceful-timeout', '2', 'graphite.wsgi:application'],
      {
        cwd: settingsDir,
        env: {
          PATH: process.env.PATH,
          PYTHONPATH: settingsDir,
          DJANGO_SETTINGS_MODULE: 'graphite.settings',
          GRAPHITE_SETTINGS_MODULE: 'e2e_local_settings',
          PYTHONDONTWRITEBYTECODE: '1',
        },
      },
    );
    try {
      await waitForTcpPort(daemon, port, props.startTimeoutMs ?? 60_000);
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return new GraphiteWeb(daemon, port);
  }

  /** `GET /render?format=json` over the last `from` (Graphite relative time, e.g. '-10min'). */
  async render(target: string, from = '-10min'): Promise<RenderSeries[]> {
    const url = `http://127.0.0.1:${this.port}/render?${new URLSearchParams({ target, from, format: 'json' })}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`graphite-web ${url} answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
    return (await res.json()) as RenderSeries[];
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}
