import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceDirAtomic } from '../util/atomic';
import { GoModuleError, goModDownloader, type ModuleDownloader } from './go-module';
import type { PinnedSchemaFile } from './manifest';
import { CHECKOUT_ROOT, pinnedFileCount, readSchemaPins, type SchemaPins } from './pins';
import { HttpClient, HttpGetError } from './http-get';
import { Progress, secondsSince, type ProgressProps } from './progress';
import { checkAgainstPins, formatSourcesTsv, moduleFileContent, sha256, type SourceRow } from './verify';
import { WAYS_OUT_DOWNLOAD } from './ways-out';

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
  /**
   * A request fails when nothing arrives for this long; a host that stalls is not retried, so a silent host costs
   * this much once. @default DEFAULT_STALL_MS
   */
  readonly stallMs?: number;
  /**
   * Attempts per file for 5xx answers, and for connection errors once the host has served a file (a host that
   * cannot be reached at first fails at once). @default 3
   */
  readonly attempts?: number;
  /** Progress lines (which step, how many files of how many, from where). @default none */
  readonly progress?: ProgressProps;
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

/**
 * One file: 5xx answers are retried, and so are connection errors once `answered` (the host served a file before:
 * a reset mid-way); a host that stalls or cannot be reached at all fails at once (retrying only multiplies the wait).
 */
async function download(client: HttpClient, url: string, attempts: number, answered: boolean): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.get(url);
    } catch (err) {
      if (!(err instanceof HttpGetError)) throw err;
      const retry = err.unreachable ? answered && !err.stalled : (err.status ?? 0) >= 500;
      if (!retry || attempt >= attempts) throw err;
    }
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
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
  progress: Progress,
  contents: Map<string, Buffer>,
  rows: SourceRow[],
): Promise<void> {
  for (const [i, m] of pins.modules.entries()) {
    let got;
    const started = Date.now();
    const stop = progress.step(
      () =>
        `go mod download ${m.module}@${m.version} in engines/${m.engine} ` +
        `(module ${i + 1} of ${pins.modules.length}, ${secondsSince(started)})`,
    );
    try {
      got = await downloadModule(join(root, 'engines', m.engine), m.module, m.version);
    } catch (err) {
      if (err instanceof GoModuleError) throw new SchemaFetchError(`${err.message}; nothing written`);
      throw err;
    } finally {
      stop();
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

interface DownloadProps {
  readonly baseUrl: string;
  readonly client: HttpClient;
  readonly attempts: number;
  readonly progress: Progress;
}

/** Downloads `files` in order (~100 small files: sequential is polite to a shared host), reporting progress. */
async function downloadFiles(
  files: readonly PinnedSchemaFile[],
  props: DownloadProps,
): Promise<{ bodies: Map<string, Buffer>; failures: string[] }> {
  const { baseUrl, client, progress } = props;
  const bodies = new Map<string, Buffer>();
  const failures: string[] = [];
  if (files.length === 0) return { bodies, failures };
  const from = `${baseUrl}${client.via(urlFor(baseUrl, files[0] as PinnedSchemaFile))}`;
  const started = Date.now();
  let done = 0;
  const stop = progress.step(() => {
    const waiting = client.waitingSince;
    const silent =
      waiting !== undefined && Date.now() - waiting >= 1000 ? `, no answer for ${secondsSince(waiting)}` : '';
    return `downloading ${files.length} GitHub-pinned files from ${from}: ${done} of ${files.length} done (${secondsSince(started)}${silent})`;
  });
  try {
    for (const f of files) {
      const url = urlFor(baseUrl, f);
      try {
        const body = await download(client, url, props.attempts, done > 0);
        const got = sha256(body);
        if (got !== f.sha256)
          failures.push(`${f.file}: sha256 ${got}, expected ${f.sha256} (pinned ${f.repository}@${f.commit})`);
        else bodies.set(f.file, body);
      } catch (err) {
        if (!(err instanceof HttpGetError)) throw err;
        // A host that cannot be reached or stalls fails every file the same way: stop at the first.
        if (err.unreachable)
          throw new SchemaFetchError(
            `cannot download ${f.file} from ${err.target}: ${err.reason}; nothing written; ${WAYS_OUT_DOWNLOAD}`,
            true,
          );
        failures.push(`${f.file}: ${err.message}`);
      }
      done++;
    }
  } finally {
    stop();
  }
  progress.line(`downloaded ${done} of ${files.length} GitHub-pinned files from ${from} in ${secondsSince(started)}`);
  return { bodies, failures };
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
  const progress = new Progress(opts.progress);
  const contents = new Map<string, Buffer>();
  const rows: SourceRow[] = [];
  const env = opts.env ?? process.env;
  // Modules first: without Go nothing is downloaded before failing.
  const downloadModule = opts.downloadModule ?? goModDownloader({ env, stallMs: opts.stallMs });
  await readModules(pins, opts.root ?? CHECKOUT_ROOT, downloadModule, progress, contents, rows);
  const copies = new Map<string, Buffer>();
  for (const f of files) {
    const copy = localCopy(opts.localSources ?? [], f);
    if (copy !== undefined) copies.set(f.file, copy);
  }
  if (copies.size > 0)
    progress.line(
      `${copies.size} of ${files.length} GitHub-pinned files copied from ${(opts.localSources ?? []).join(', ')} (pinned sha256)`,
    );
  const client = new HttpClient({ env, stallMs: opts.stallMs });
  let fetched;
  try {
    fetched = await downloadFiles(
      files.filter((f) => !copies.has(f.file)),
      { baseUrl, client, attempts: opts.attempts ?? 3, progress },
    );
  } finally {
    await client.close();
  }
  if (fetched.failures.length > 0)
    throw new SchemaFetchError(
      `${fetched.failures.length} of ${files.length} files failed; nothing written:\n  ${fetched.failures.join('\n  ')}`,
    );
  for (const f of files) {
    contents.set(f.file, copies.get(f.file) ?? (fetched.bodies.get(f.file) as Buffer));
    rows.push({ ...f });
  }
  contents.set('SOURCES.tsv', Buffer.from(formatSourcesTsv(rows)));
  replaceDirAtomic(opts.dest, contents);
  const fromModules = pinnedFileCount(pins) - files.length;
  return { dest: opts.dest, downloaded: pinnedFileCount(pins), fromModules, local: copies.size };
}
