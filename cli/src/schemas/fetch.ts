import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceDirAtomic } from '../util/atomic';
import { PINNED_SCHEMA_FILES, type PinnedSchemaFile } from './manifest';

/** Raw GitHub content; overridable (env PLATFORM_SCHEMAS_BASE_URL or --base-url) for mirrors and tests. */
export const DEFAULT_SCHEMAS_BASE_URL = 'https://raw.githubusercontent.com';

export interface FetchSchemasOptions {
  /** Directory to fill (replaced atomically). */
  readonly dest: string;
  /** @default DEFAULT_SCHEMAS_BASE_URL */
  readonly baseUrl?: string;
  /** @default PINNED_SCHEMA_FILES */
  readonly files?: readonly PinnedSchemaFile[];
  /** Per-request timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Attempts per file (network errors and 5xx only). @default 3 */
  readonly attempts?: number;
  /** Download even if `dest` already holds every file with the pinned sum. @default false */
  readonly force?: boolean;
}

export interface FetchSchemasResult {
  readonly dest: string;
  /** Files downloaded (0 when the cache was already complete). */
  readonly downloaded: number;
}

/** A download or checksum failure; nothing was written. */
export class SchemaFetchError extends Error {
  constructor(
    message: string,
    /** The host could not be reached at all (as opposed to one file failing). */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'SchemaFetchError';
  }
}

function networkMessage(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause !== undefined ? `${e.message} (${cause})` : e.message;
}

export function sha256(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

export function urlFor(baseUrl: string, f: PinnedSchemaFile): string {
  return `${baseUrl.replace(/\/+$/, '')}/${f.repository}/${f.commit}/${f.path}`;
}

function validateBaseUrl(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new SchemaFetchError(`base URL: got ${JSON.stringify(baseUrl)}; expected an http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new SchemaFetchError(`base URL: got ${JSON.stringify(baseUrl)}; expected an http(s) URL`);
}

/** Whether `dir` already holds every pinned file with its pinned sha256. */
export function isComplete(dir: string, files: readonly PinnedSchemaFile[] = PINNED_SCHEMA_FILES): boolean {
  return files.every((f) => {
    const p = join(dir, f.file);
    return existsSync(p) && sha256(readFileSync(p)) === f.sha256;
  });
}

async function download(url: string, timeoutMs: number, attempts: number): Promise<Buffer> {
  let lastError = '';
  let unreachable = false;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
      if (res.ok) return Buffer.from(await res.arrayBuffer());
      lastError = `HTTP ${res.status}`;
      unreachable = false;
      if (res.status < 500) break; // 404 and friends do not get better by retrying
    } catch (err) {
      lastError = networkMessage(err);
      unreachable = true;
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, 200 * attempt));
  }
  throw new SchemaFetchError(`${url}: ${lastError}`, unreachable);
}

/**
 * Downloads exactly the pinned files, checks each sha256 and replaces `dest` in one rename: a failed or
 * tampered download leaves the previous cache as it was.
 */
export async function fetchPinnedSchemas(opts: FetchSchemasOptions): Promise<FetchSchemasResult> {
  const files = opts.files ?? PINNED_SCHEMA_FILES;
  const baseUrl = opts.baseUrl ?? DEFAULT_SCHEMAS_BASE_URL;
  validateBaseUrl(baseUrl);
  if (opts.force !== true && isComplete(opts.dest, files)) return { dest: opts.dest, downloaded: 0 };
  const contents = new Map<string, string>();
  const failures: string[] = [];
  // Sequential: ~100 small files, and a polite client for a shared host.
  for (const f of files) {
    try {
      const body = await download(urlFor(baseUrl, f), opts.timeoutMs ?? 30_000, opts.attempts ?? 3);
      const got = sha256(body);
      if (got !== f.sha256)
        failures.push(`${f.file}: sha256 ${got}, expected ${f.sha256} (pinned ${f.repository}@${f.commit})`);
      else contents.set(f.file, body.toString('utf8'));
    } catch (err) {
      // A host that cannot be reached fails every file the same way: stop at the first.
      if (err instanceof SchemaFetchError && err.unreachable)
        throw new SchemaFetchError(`cannot download ${f.file}; nothing written: ${err.message}`, true);
      failures.push(`${f.file}: ${(err as Error).message}`);
    }
  }
  if (failures.length > 0)
    throw new SchemaFetchError(
      `${failures.length} of ${files.length} files failed; nothing written:\n  ${failures.join('\n  ')}`,
    );
  const sources = [
    'file\trepository\tref\tpath\tcommit\tsha256',
    ...files.map((f) => [f.file, f.repository, f.ref, f.path, f.commit, f.sha256].join('\t')),
  ];
  contents.set('SOURCES.tsv', sources.join('\n') + '\n');
  replaceDirAtomic(opts.dest, contents);
  return { dest: opts.dest, downloaded: files.length };
}
