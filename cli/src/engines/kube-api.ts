import { request } from 'node:https';

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
};

export interface KubeApiProps {
  readonly server: string;
  readonly token: string;
  /** PEM of the API server's certificate authority. */
  readonly ca: string;
  /**
   * Bound on every request.
   * @default 30 s
   */
  readonly timeoutMs?: number;
}

export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
  /** Warning headers (RFC 7234 code 299), e.g. Pod Security warnings and unknown-field warnings. */
  readonly warnings: readonly string[];
}

/** The API server refused a request: its HTTP status and Status message. */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

export interface WriteOptions {
  /** Server-side dry run: admitted and validated, not stored. */
  readonly dryRun?: boolean;
  /** @default 'platform-engines' */
  readonly fieldManager?: string;
}

/**
 * A minimal client of the Kubernetes REST API for the engine suite: discovery, server-side apply and create with
 * strict field validation, returning the API server's warnings with each answer.
 */
export class KubeApi {
  private readonly resources = new Map<string, Resource>();

  constructor(private readonly props: KubeApiProps) {}

  raw(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
    const url = new URL(path, this.props.server);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.props.ca,
          headers: {
            authorization: `Bearer ${this.props.token}`,
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
          timeout: this.props.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // plain text (e.g. /readyz)
            }
            const header = res.headers.warning;
            const warnings = (Array.isArray(header) ? header : header === undefined ? [] : splitWarnings(header)).map(
              warningText,
            );
            resolve({ status: res.statusCode ?? 0, body: parsed, warnings });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path}: no answer within ${this.props.timeoutMs ?? 30_000} ms`)),
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  private async ok(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse> {
    const r = await this.raw(method, path, body, contentType);
    if (r.status >= 200 && r.status < 300) return r;
    const message = (r.body as { message?: string } | undefined)?.message ?? String(r.body);
    throw new KubeError(r.status, `${method} ${path}: ${r.status} ${message}`);
  }

  /** The REST resource serving apiVersion/kind, from discovery (asked again when a kind is not known yet). */
  async resource(apiVersion: string, kind: string): Promise<Resource> {
    const key = `${apiVersion}/${kind}`;
    const known = this.resources.get(key);
    if (known !== undefined) return known;
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const r = await this.raw('GET', path);
    if (r.status === 200) {
      for (const res of (r.body as { resources: { name: string; kind: string; namespaced: boolean }[] }).resources) {
        if (!res.name.includes('/'))
          this.resources.set(`${apiVersion}/${res.kind}`, { plural: res.name, namespaced: res.namespaced });
      }
    }
    const found = this.resources.get(key);
    if (found === undefined) throw new KubeError(404, `the API server serves no ${kind} in ${apiVersion}`);
    return found;
  }

  /** The collection path of an object's kind (namespaced where the kind is). */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const res = await this.resource(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (!res.namespaced) return `${base}/${res.plural}`;
    return `${base}/namespaces/${namespace ?? 'default'}/${res.plural}`;
  }

  private async objectPath(obj: KubeObject): Promise<string> {
    const name = obj.metadata.name;
    if (name === undefined) throw new Error(`${obj.kind} without metadata.name`);
    return `${await this.collectionPath(obj.apiVersion, obj.kind, obj.metadata.namespace)}/${encodeURIComponent(name)}`;
  }

  /** Server-side apply with strict field validation (unknown or duplicate fields are errors). */
  async apply(obj: KubeObject, opts: WriteOptions = {}): Promise<{ object: KubeObject; warnings: readonly string[] }> {
    const q = new URLSearchParams({
      fieldManager: opts.fieldManager ?? 'platform-engines',
      fieldValidation: 'Strict',
      force: 'true',
    });
    if (opts.dryRun === true) q.set('dryRun', 'All');
    const r = await this.ok(
      'PATCH',
      `${await this.objectPath(obj)}?${q.toString()}`,
      obj,
      'application/apply-patch+yaml',
    );
    return { object: r.body as KubeObject, warnings: r.warnings };
  }

  /** Create (optionally as a server-side dry run) with strict field validation. */
  async create(obj: KubeObject, opts: WriteOptions = {}): Promise<{ object: KubeObject; warnings: readonly string[] }> {
    const q = new URLSearchParams({ fieldManager: opts.fieldManager ?? 'platform-engines', fieldValidation: 'Strict' });
    if (opts.dryRun === true) q.set('dryRun', 'All');
    const path = await this.collectionPath(obj.apiVersion, obj.kind, obj.metadata.namespace);
    const r = await this.ok('POST', `${path}?${q.toString()}`, obj);
    return { object: r.body as KubeObject, warnings: r.warnings };
  }

  async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject> {
    const r = await this.ok(
      'GET',
      `${await this.collectionPath(apiVersion, kind, namespace)}/${encodeURIComponent(name)}`,
    );
    return r.body as KubeObject;
  }

  async list(apiVersion: string, kind: string, namespace?: string): Promise<KubeObject[]> {
    const r = await this.ok('GET', await this.collectionPath(apiVersion, kind, namespace));
    return (r.body as { items: KubeObject[] }).items.map((o) => ({ ...o, apiVersion, kind }));
  }

  /** JSON merge patch (e.g. the status Argo CD writes into an Application). */
  async mergePatch(obj: KubeObject, patch: unknown): Promise<KubeObject> {
    const r = await this.ok('PATCH', await this.objectPath(obj), patch, 'application/merge-patch+json');
    return r.body as KubeObject;
  }

  /** Forgets discovery (after CRDs were added). */
  forgetDiscovery(): void {
    this.resources.clear();
  }
}

/** Splits a Warning header holding several comma-separated warnings (commas inside quotes stay). */
function splitWarnings(header: string): string[] {
  return header.match(/\d{3} [^ ]+ "(?:[^"\\]|\\.)*"/g) ?? [header];
}

/** `299 - "text"` -> `text`. */
function warningText(w: string): string {
  const m = /^\d{3} [^ ]+ "((?:[^"\\]|\\.)*)"/.exec(w.trim());
  return m?.[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : w;
}
