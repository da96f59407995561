import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** Everything here listens on 127.0.0.1 only. */
const HOST = '127.0.0.1';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port)));
}

/** Closes `server` and every connection it holds (a held connection would keep close() waiting). */
function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** A host that accepts TCP connections and never answers: what a black-holing firewall or a hung server looks like. */
export async function silentServer(): Promise<{ base: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return { base: `http://${HOST}:${port}`, connections: () => connections, close: closer(server, sockets) };
}

/** A 127.0.0.1 port nothing listens on (a server bound it and closed): connecting is refused. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  return port;
}

export interface LocalProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Each request as `CONNECT host:port` or `GET http://host:port/path` (absolute-URI form). */
  readonly seen: string[];
  close(): Promise<void>;
}

/**
 * A forward proxy on 127.0.0.1, as a corporate proxy behaves: HTTP CONNECT tunnels and absolute-URI requests,
 * forwarded only to 127.0.0.1 (anything else gets 403), or refused with `refuseWith` for every request.
 */
export async function localProxy(props: { readonly refuseWith?: number } = {}): Promise<LocalProxy> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    if (props.refuseWith !== undefined || target.hostname !== HOST) {
      res.writeHead(props.refuseWith ?? 403).end();
      return;
    }
    const upstream = httpRequest(
      {
        host: HOST,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    client.on('error', () => undefined);
    const [host, port] = (req.url ?? '').split(':');
    if (props.refuseWith !== undefined || host !== HOST) {
      client.end(`HTTP/1.1 ${props.refuseWith ?? 403} Refused\r\n\r\n`);
      return;
    }
    const upstream = connect(Number(port), HOST, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  const port = await listen(server);
  return { url: `http://${HOST}:${port}`, seen, close: closer(server, sockets) };
}
