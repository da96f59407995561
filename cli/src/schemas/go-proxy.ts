import { HttpGetError, type HttpClient } from './http-get';

/** The `go env` settings that decide where `go mod download` goes for a module. */
export interface GoProxySettings {
  readonly GOPROXY?: string;
  readonly GONOPROXY?: string;
  readonly GOPRIVATE?: string;
}

/** One GOPROXY entry and whether go moves on to the next one on any error (`|`) or only on 404/410 (`,`). */
export interface GoProxyEntry {
  readonly url: string;
  readonly nextOnAnyError: boolean;
}

export function goProxyEntries(goproxy: string): GoProxyEntry[] {
  const entries: GoProxyEntry[] = [];
  const re = /([^,|]+)([,|]?)/g;
  for (let m = re.exec(goproxy); m !== null; m = re.exec(goproxy)) {
    const url = (m[1] as string).trim();
    if (url !== '') entries.push({ url, nextOnAnyError: m[2] === '|' });
  }
  return entries;
}

/** path.Match for one path element: `*` and `?` within the element, `[...]` classes kept as written. */
function elementMatches(pattern: string, element: string): boolean {
  const re = pattern
    .replace(/[.+^${}()\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`).test(element);
}

/**
 * Whether a GONOPROXY/GOPRIVATE list (comma-separated glob patterns) matches a prefix of `module`, as go's
 * module.MatchPrefixPatterns does: a pattern of N path elements matches the module's first N elements.
 */
export function matchesModulePatterns(patterns: string, module: string): boolean {
  const elements = module.split('/');
  return patterns
    .split(',')
    .map((p) => p.trim().replace(/\/+$/, ''))
    .filter((p) => p !== '')
    .some((p) => {
      const parts = p.split('/');
      return parts.length <= elements.length && parts.every((part, i) => elementMatches(part, elements[i] as string));
    });
}

/**
 * Asks the Go module proxy that `go mod download` will use for `module` for `url` (go's `<proxy>/<module>/@v/...`
 * path) the way go would reach it, bounded by the client's stall timer; an HTTP answer counts as reachable (go deals
 * with it; after a 404 or 410 go asks the next entry, and so does this). Returns the failure of the proxy go would stop at, or undefined when go can get an answer, or
 * does not use a proxy for the module (`direct`, `off`, GONOPROXY/GOPRIVATE).
 */
export async function probeGoProxy(
  settings: GoProxySettings,
  module: string,
  pathUnderProxy: string,
  client: HttpClient,
): Promise<HttpGetError | undefined> {
  const noProxy =
    settings.GONOPROXY !== undefined && settings.GONOPROXY !== '' ? settings.GONOPROXY : settings.GOPRIVATE;
  if (noProxy !== undefined && matchesModulePatterns(noProxy, module)) return undefined;
  const entries = goProxyEntries(settings.GOPROXY ?? '');
  for (const [i, e] of entries.entries()) {
    if (e.url === 'direct' || e.url === 'off' || !/^https?:\/\//.test(e.url)) return undefined;
    try {
      await client.get(`${e.url.replace(/\/+$/, '')}/${pathUnderProxy}`);
      return undefined;
    } catch (err) {
      if (!(err instanceof HttpGetError)) throw err;
      const last = i === entries.length - 1;
      // go moves on after a 404 or 410 from any entry, after other errors only past a `|`
      if (!err.unreachable) {
        if (last || (err.status !== 404 && err.status !== 410 && !e.nextOnAnyError)) return undefined;
        continue;
      }
      if (!e.nextOnAnyError || last) return err;
    }
  }
  return undefined;
}
