import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceDirAtomic } from '../util/atomic';
import { GoModuleError, goModDownloader, type ModuleDownloader } from './go-module';
import type { PinnedSchemaFile } from './manifest';
import { CHECKOUT_ROOT, pinnedFileCount, readSchemaPins, type SchemaPins } from './pins';
import { checkAgainstPins, formatSourcesTsv, moduleFileContent, sha256, type SourceRow } from './verify';

export { sha256 } from './verify';

/** Raw GitHub content; overridable (env PLATFORM_SCHEMAS_BASE_URL or --base-url) for mirrors and tests. */
export const DEFAULT_SCHEMAS_BASE_URL = 'https://raw.githubusercontent.com';

export interface FetchSchemasOptions {
  /** Directory to fill (replaced atomically). */
  readonly dest: string;
  /** @default DEFAULT_SCHEMAS_BASE_URL */
  readonly baseUrl?: string;
  /** What to fetch. @default readSchemaPins() */
  readonly pins?: SchemaPins;
  /** The checkout whose `engines/<dir>` directories `go mod download` runs in. @default CHECKOUT_ROOT */
  readonly root?: string;
  /** Reads a module (tests pass a fake). @default `go mod download -json` (goModDownloader) */
  readonly downloadModule?: ModuleDownloader;
  /** Finds the module cache when checking an existing `dest`. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Directories to take GitHub-pinned files from, when a file there has the pinned sha256, instead of downloading
   * it (`../shared/schemas`, even when its module files are for other pins). @default none
   */
  readonly localSources?: readonly string[];
  /** Per-request timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Attempts per file (network errors and 5xx only). @default 3 */
  readonly attempts?: number;
  /** Download even if `dest` already holds every file with the pinned sum. @default false */
  readonly force?: boolean;
}

export interface FetchSchemasResult {
  readonly dest: string;
  /** Files written (0 when the cache was already complete). */
  readonly downloaded: number;
  /** Of those, read from the engines' Go modules. */
  readonly fromModules: number;
  /** Of those, GitHub-pinned files copied from `localSources` rather than downloaded. */
  readonly local: number;
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

/** Whether `dir` already holds exactly the pinned content (see `checkAgainstPins`). */
export function isComplete(dir: string, pins: SchemaPins = readSchemaPins(), env = process.env): boolean {
  return checkAgainstPins(dir, pins, { env }) === undefined;
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

/** A GitHub-pinned file from the first local directory that has it with the pinned sha256. */
function localCopy(dirs: readonly string[], f: PinnedSchemaFile): Buffer | undefined {
  for (const d of dirs) {
    const p = join(d, f.file);
    if (!existsSync(p)) continue;
    const body = readFileSync(p);
    if (sha256(body) === f.sha256) return body;
  }
  return undefined;
}

/** Reads each module's files from the directory `go mod download` reports (after go checked it against go.sum). */
async function readModules(
  pins: SchemaPins,
  root: string,
  downloadModule: ModuleDownloader,
  contents: Map<string, Buffer>,
  rows: SourceRow[],
): Promise<void> {
  for (const m of pins.modules) {
    let got;
    try {
      got = await downloadModule(join(root, 'engines', m.engine), m.module);
    } catch (err) {
      if (err instanceof GoModuleError) throw new SchemaFetchError(`${err.message}; nothing written`);
      throw err;
    }
    // go resolves the version from the same go.mod; a mismatch means the pins were read from another checkout.
    if (got.version !== m.version || got.sum !== m.sum)
      throw new SchemaFetchError(
        `go mod download ${m.module} in engines/${m.engine}: got ${got.version} ${got.sum}; ` +
          `expected ${m.version} ${m.sum} (go.mod and go.sum); nothing written`,
      );
    for (const f of m.files) {
      let body: Buffer;
      try {
        body = moduleFileContent(got.dir, f);
      } catch (err) {
        throw new SchemaFetchError(
          `${f.file}: cannot read ${f.path} from ${m.module}@${m.version} (${got.dir}): ${(err as Error).message}; nothing written`,
        );
      }
      contents.set(f.file, body);
      rows.push({
        file: f.file,
        repository: m.module,
        ref: m.version,
        path: f.path,
        commit: m.sum,
        sha256: sha256(body),
      });
    }
  }
}

/**
 * Reads the module-pinned files from the Go modules the engines pin and downloads exactly the GitHub-pinned ones,
 * checks each, and replaces `dest` in one rename: a failed or tampered download leaves the previous cache as it was.
 */
export async function fetchPinnedSchemas(opts: FetchSchemasOptions): Promise<FetchSchemasResult> {
  const pins = opts.pins ?? readSchemaPins();
  const files = pins.github;
  const baseUrl = opts.baseUrl ?? DEFAULT_SCHEMAS_BASE_URL;
  validateBaseUrl(baseUrl);
  if (opts.force !== true && isComplete(opts.dest, pins, opts.env))
    return { dest: opts.dest, downloaded: 0, fromModules: 0, local: 0 };
  const contents = new Map<string, Buffer>();
  const rows: SourceRow[] = [];
  // Modules first: without Go nothing is downloaded before failing.
  await readModules(pins, opts.root ?? CHECKOUT_ROOT, opts.downloadModule ?? goModDownloader(opts.env), contents, rows);
  const failures: string[] = [];
  // Sequential: ~100 small files, and a polite client for a shared host.
  let local = 0;
  for (const f of files) {
    const copy = localCopy(opts.localSources ?? [], f);
    if (copy !== undefined) {
      contents.set(f.file, copy);
      rows.push({ ...f });
      local++;
      continue;
    }
    try {
      const body = await download(urlFor(baseUrl, f), opts.timeoutMs ?? 30_000, opts.attempts ?? 3);
      const got = sha256(body);
      if (got !== f.sha256)
        failures.push(`${f.file}: sha256 ${got}, expected ${f.sha256} (pinned ${f.repository}@${f.commit})`);
      else {
        contents.set(f.file, body);
        rows.push({ ...f });
      }
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
  contents.set('SOURCES.tsv', Buffer.from(formatSourcesTsv(rows)));
  replaceDirAtomic(opts.dest, contents);
  const fromModules = pinnedFileCount(pins) - files.length;
  return { dest: opts.dest, downloaded: pinnedFileCount(pins), fromModules, local };
}
