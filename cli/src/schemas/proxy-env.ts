import { isIP } from 'node:net';

export interface ProxyForOptions {
  /**
   * Never proxy `localhost` and loopback addresses, as Go's net/http does (for probing what `go` will reach).
   * @default false (curl's and undici's rule: only NO_PROXY exempts a host)
   */
  readonly bypassLoopback?: boolean;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The first set value of `names` (lower case first, as curl reads them); empty counts as unset. */
function envValue(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * Whether NO_PROXY exempts `host:port`: entries separated by commas or spaces, `*` for every host, a host name
 * (which also covers its subdomains; a leading `.` or `*.` is ignored), an IP address, each optionally `:port`.
 */
export function noProxyMatches(noProxy: string, host: string, port: number): boolean {
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const m = /^(.+?)(?::(\d+))?$/.exec(entry.startsWith('[') ? entry.replace(/^\[([^\]]+)\]/, '$1') : entry);
    if (m === null) continue;
    const name = (m[1] as string).replace(/^\*?\./, '');
    if (m[2] !== undefined && Number(m[2]) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/**
 * The proxy a request to `url` goes through under the usual variables, or undefined for a direct connection:
 * `https_proxy`/`HTTPS_PROXY` for https URLs, `http_proxy`/`HTTP_PROXY` for http URLs and as the https fallback,
 * unless `no_proxy`/`NO_PROXY` exempts the host. A proxy value without a scheme means `http://`.
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv, opts: ProxyForOptions = {}): URL | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port !== '' ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0);
  if (opts.bypassLoopback === true && isLoopback(host)) return undefined;
  const http = envValue(env, 'http_proxy', 'HTTP_PROXY');
  const value = url.protocol === 'https:' ? (envValue(env, 'https_proxy', 'HTTPS_PROXY') ?? http) : http;
  if (value === undefined) return undefined;
  if (noProxyMatches(envValue(env, 'no_proxy', 'NO_PROXY') ?? '', host, port)) return undefined;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new ProxySettingError(`HTTPS_PROXY/HTTP_PROXY: got ${JSON.stringify(value)}; expected a proxy URL`);
  }
}

/** A proxy URL as it may be printed: without user name and password. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** A proxy variable that is not a URL; one line. */
export class ProxySettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxySettingError';
  }
}
