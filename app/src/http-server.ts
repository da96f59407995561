import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';

export interface ProbeServerProps {
  /** TCP port; 0 picks a free one (see {@link ProbeServer.listen}). */
  readonly port: number;
  /** Interface to bind. @default every interface (Node's default), so the kubelet can reach the probes */
  readonly host?: string;
  /** Readiness: true once the statsd client is up, false again from the start of shutdown. */
  readonly isReady: () => boolean;
  /** The JSON document served at `/stats`. */
  readonly stats: () => object;
  readonly logger: Logger;
}

/**
 * Kubernetes probes and counters over plain `node:http`: `GET /healthz` (liveness: the event loop answers),
 * `GET /readyz` (200 when ready, 503 otherwise) and `GET /stats` (JSON). Anything else is 404, other methods 405.
 */
export class ProbeServer {
  private readonly server: Server;
  private readonly props: ProbeServerProps;
  /** Settles once the last `listen()` has bound or failed; `close()` waits for it. */
  private binding: Promise<unknown> = Promise.resolve();

  constructor(props: ProbeServerProps) {
    this.props = props;
    this.server = createServer((req, res) => this.route(req, res));
    // Probes are tiny: a slow or idle client must not hold a socket open for long.
    this.server.requestTimeout = 5_000;
    this.server.headersTimeout = 5_000;
    this.server.keepAliveTimeout = 5_000;
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    const bound = new Promise<number>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: this.props.port, host: this.props.host }, () => {
        this.server.off('error', reject);
        const port = (this.server.address() as AddressInfo).port;
        this.props.logger.info({ port }, 'http server listening');
        resolve(port);
      });
    });
    this.binding = bound.catch(() => undefined);
    return bound;
  }

  /**
   * Stops accepting connections and closes the open ones (idle keep-alive sockets would delay exit otherwise). Called
   * while `listen()` is still binding (a signal during start-up), it waits for the bind and then closes: closing
   * before would do nothing, and the server would then listen on with nobody left to close it.
   */
  async close(): Promise<void> {
    await this.binding;
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0];
    const handlers: Record<string, () => [number, object]> = {
      '/healthz': () => [200, { status: 'ok' }],
      '/readyz': () => (this.props.isReady() ? [200, { status: 'ready' }] : [503, { status: 'not ready' }]),
      '/stats': () => [200, this.props.stats()],
    };
    const handler = path === undefined ? undefined : handlers[path];
    if (handler === undefined) return send(res, 404, { error: `no such path: ${path}` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, { error: `method ${req.method} not allowed` });
    }
    const [status, body] = handler();
    send(res, status, body, req.method === 'HEAD');
  }
}

function send(res: ServerResponse, status: number, body: object, headOnly = false): void {
  const json = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
  });
  res.end(headOnly ? undefined : json);
}
