import { existsSync } from 'node:fs';

/** What the end-to-end pipeline needs from Debian, and a file that proves each package is installed. */
export const GRAPHITE_PACKAGES = [
  { name: 'graphite-carbon', provides: '/usr/bin/carbon-cache' },
  { name: 'python3-whisper', provides: '/usr/bin/whisper-fetch' },
  { name: 'graphite-web', provides: '/usr/lib/python3/dist-packages/graphite/wsgi.py' },
  { name: 'gunicorn', provides: '/usr/bin/gunicorn' },
] as const;

/** Throws, naming the apt command that fixes it, when a package of the pipeline is missing. Never skips. */
export function assertGraphitePackagesInstalled(exists: (path: string) => boolean = existsSync): void {
  const missing = GRAPHITE_PACKAGES.filter((p) => !exists(p.provides)).map((p) => p.name);
  if (missing.length === 0) return;
  throw new Error(
    [
      '',
      '=================================================================================',
      ` The statsd -> carbon -> Graphite end-to-end suite needs Debian packages that are`,
      ` missing on this host: ${missing.join(', ')}.`,
      ` Install them (as root) and run again:`,
      `   apt-get update && apt-get install -y --no-install-recommends ${GRAPHITE_PACKAGES.map((p) => p.name).join(' ')}`,
      ` or run .ci/steps/e2e.sh, which installs them and runs this suite.`,
      '=================================================================================',
    ].join('\n'),
  );
}
