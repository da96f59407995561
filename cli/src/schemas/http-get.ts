import type { Dispatcher } from 'undici';
import { proxyFor, redactUrl } from './proxy-env';

/** Nothing (connection, response, body bytes) for this long fails a request. */
export const DEFAULT_STALL_MS = 10_000;

export interface HttpClientProps {
  /** Where the proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, lower case too) are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** A request fails when nothing arrives for this long: a silent host costs this much once. @default DEFAULT_STALL_MS */
  readonly stallMs?: number;
  /** Never proxy loopback hosts (Go's rule; see proxyFor). @default false */
  readonly bypassLoopback?: boolean;
}

/** A GET that failed: the host could not be reached or stalled (`unreachable`), or it answered with an error status. */
export class HttpGetError extends Error {
  constructor(
    readonly url: string,
    /** `host:port` as requested, with ` via proxy <url>` when a proxy was used. */
    readonly target: string,
    /** What happened, e.g. `getaddrinfo ENOTFOUND example.invalid`, `no response in 10 s`, `HTTP 404`. */
    readonly reason: string,
    readonly unreachable: boolean,
    readonly status?: number,
    /** Nothing arrived for the stall time (a silent host, or one that went silent). */
    readonly stalled = false,
  ) {
    super(`${url}: ${reason}`);
    this.name = 'HttpGetError';
  }
}

const MAX_REDIRECTS = 5;

/**
 * The innermost error of a fetch failure: undici wraps the socket error (with its `code`) in `TypeError: fetch
 * failed`, sometimes with a DOMException between; several addresses tried fail as an AggregateError.
 */
function describeFailure(err: unknown): string {
  let c: unknown = err;
  for (let depth = 0; depth < 5; depth++) {
    if (c instanceof AggregateError && c.errors.length > 0) c = c.errors[0];
    const cause = (c as { cause?: unknown }).cause;
    if (cause === undefined || cause === null) break;
    c = cause;
  }
  const e = c as { code?: unknown; message?: string };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const msg = e.message ?? '';
  if (msg === '') return code ?? String(c);
  return code !== undefined && !msg.includes(code) && !code.startsWith('UND_ERR') ? `${msg} (${code})` : msg;
}

/**
 * GETs over HTTP(S) with the proxy variables honoured (Node's global fetch ignores them), through the undici
 * package, loaded on first use. Each request is bounded by a stall timer rather than a total one, so a large file
 * on a slow link finishes while a host that accepts the connection and never answers fails in `stallMs`.
 */
export class HttpClient {
  private readonly env: NodeJS.ProcessEnv;
  /** A request fails when nothing arrives for this long. */
  readonly stallMs: number;
  private readonly bypassLoopback: boolean;
  private readonly dispatchers = new Map<string, Dispatcher>();
  /** When the request in flight last received something; undefined when none is in flight (for progress lines). */
  waitingSince: number | undefined;

  constructor(props: HttpClientProps = {}) {
    this.env = props.env ?? process.env;
    this.stallMs = props.stallMs ?? DEFAULT_STALL_MS;
    this.bypassLoopback = props.bypassLoopback ?? false;
  }

  /** `host:port` of `url` and the proxy a request to it goes through, as messages name them. */
  target(url: string): string {
    return `${new URL(url).host}${this.via(url)}`;
  }

  /** ` via proxy <proxy URL without credentials>` when requests to `url` go through a proxy, else empty. */
  via(url: string): string {
    const proxy = proxyFor(new URL(url), this.env, { bypassLoopback: this.bypassLoopback });
    return proxy === undefined ? '' : ` via proxy ${redactUrl(proxy)}`;
  }

  async get(url: string): Promise<Buffer> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.request(current);
      if (res.location === undefined) return res.body;
      current = new URL(res.location, current).href;
    }
    throw new HttpGetError(url, this.target(url), `more than ${MAX_REDIRECTS} redirects`, false);
  }

  /** Closes the connections kept alive for later requests. */
  async close(): Promise<void> {
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(all.map((d) => d.close().catch(() => undefined)));
  }

  private async drop(d: Dispatcher): Promise<void> {
    for (const [k, v] of this.dispatchers) if (v === d) this.dispatchers.delete(k);
    await d.destroy().catch(() => undefined);
  }

  private async dispatcher(url: URL): Promise<Dispatcher> {
    const proxy = proxyFor(url, this.env, { bypassLoopback: this.bypassLoopback });
    const key = proxy?.href ?? '';
    const known = this.dispatchers.get(key);
    if (known !== undefined) return known;
    const { Agent, ProxyAgent } = await import('undici');
    const d = proxy === undefined ? new Agent() : new ProxyAgent({ uri: proxy.href });
    this.dispatchers.set(key, d);
    return d;
  }

  private async request(url: string): Promise<{ body: Buffer; location?: string }> {
    const target = this.target(url);
    const { fetch } = await import('undici');
    const dispatcher = await this.dispatcher(new URL(url));
    const ac = new AbortController();
    let answered = false;
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      this.waitingSince = Date.now();
      timer = setTimeout(() => {
        stalled = true;
        ac.abort();
      }, this.stallMs);
    };
    const seconds = `${Math.round(this.stallMs / 100) / 10} s`;
    arm();
    try {
      const res = await fetch(url, { dispatcher, signal: ac.signal, redirect: 'manual' });
      answered = true;
      arm();
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location !== null) {
        await res.body?.cancel();
        return { body: Buffer.alloc(0), location };
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new HttpGetError(url, target, `HTTP ${res.status}`, false, res.status);
      }
      const chunks: Buffer[] = [];
      if (res.body !== null)
        for await (const chunk of res.body) {
          chunks.push(Buffer.from(chunk));
          arm();
        }
      return { body: Buffer.concat(chunks) };
    } catch (err) {
      if (err instanceof HttpGetError) throw err;
      // undici reconnects after an abort: a host that stalled gets no second connection from this client
      if (stalled) await this.drop(dispatcher);
      const reason = stalled
        ? answered
          ? `no data for ${seconds}`
          : `no response in ${seconds}`
        : describeFailure(err);
      throw new HttpGetError(url, target, reason, true, undefined, stalled);
    } finally {
      clearTimeout(timer);
      this.waitingSince = undefined;
    }
  }
}
