import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractedModuleDir } from './go-module';
import type { ModuleFile } from './manifest';
import type { SchemaPins } from './pins';

export function sha256(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * One line of a schemas directory's `SOURCES.tsv`, the same columns for both kinds of pin: a GitHub file
 * (`repository` owner/name, `ref` release, `commit` git commit) or a module file (`repository` the Go module path,
 * `ref` its version, `commit` go.sum's `h1:` hash of the module). `sha256` is that of the file as written.
 */
export interface SourceRow {
  readonly file: string;
  readonly repository: string;
  readonly ref: string;
  readonly path: string;
  readonly commit: string;
  readonly sha256: string;
}

const COLUMNS = ['file', 'repository', 'ref', 'path', 'commit', 'sha256'] as const;

export function formatSourcesTsv(rows: readonly SourceRow[]): string {
  return [COLUMNS.join('\t'), ...rows.map((r) => COLUMNS.map((c) => r[c]).join('\t'))].join('\n') + '\n';
}

/** The rows of `<dir>/SOURCES.tsv` by file; empty when it is missing or has other columns (an older layout). */
export function readSourcesTsv(dir: string): Map<string, SourceRow> {
  const p = join(dir, 'SOURCES.tsv');
  const rows = new Map<string, SourceRow>();
  if (!existsSync(p)) return rows;
  const [header, ...lines] = readFileSync(p, 'utf8').trimEnd().split('\n');
  if (header !== COLUMNS.join('\t')) return rows;
  for (const line of lines) {
    const [file, repository, ref, path, commit, sum] = line.split('\t');
    if (file !== undefined && sum !== undefined)
      rows.set(file, {
        file,
        repository: repository ?? '',
        ref: ref ?? '',
        path: path ?? '',
        commit: commit ?? '',
        sha256: sum,
      });
  }
  return rows;
}

/** A module file's content as the schemas directory holds it (see `ModuleFile.extract`). */
export function moduleFileContent(moduleDir: string, f: ModuleFile): Buffer {
  const raw = readFileSync(join(moduleDir, f.path));
  if (f.extract !== 'definitions') return raw;
  const doc = JSON.parse(raw.toString('utf8')) as { definitions?: unknown };
  if (typeof doc.definitions !== 'object' || doc.definitions === null)
    throw new Error(`${f.path}: expected an OpenAPI v2 document with "definitions"`);
  return Buffer.from(JSON.stringify({ definitions: doc.definitions }));
}

export interface CheckOptions {
  /** Finds the module cache. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Where to remember a directory that passed (keyed by the pin-set id and the size, mtime and inode of each
   * file), so the next check only stats the files. Best-effort. @default no memo
   */
  readonly memoDir?: string;
}

function memoKey(dir: string, pins: SchemaPins, files: readonly string[]): string {
  const h = createHash('sha256').update(`${pins.id}\0${dir}\n`);
  for (const f of files) {
    const s = statSync(join(dir, f));
    h.update(`${f}\0${s.size}\0${s.mtimeMs}\0${s.ino}\n`);
  }
  return h.digest('hex');
}

/**
 * Whether `dir` holds exactly the pinned content: the first problem found, or undefined when it matches.
 * GitHub files: the pinned sha256. Module files: byte-identical to the file in the pinned module version when the
 * module cache holds it (go checked it against go.sum when it extracted it); otherwise `SOURCES.tsv` must record
 * the file as coming from that module version with the go.sum hash the engine pins, with the file's sha256 (what
 * `platform schemas fetch` writes after reading the file from a module go verified).
 */
export function checkAgainstPins(dir: string, pins: SchemaPins, opts: CheckOptions = {}): string | undefined {
  const files = [...pins.github.map((f) => f.file), ...pins.modules.flatMap((m) => m.files.map((f) => f.file))];
  // Cheap first: a directory for other pins usually lacks a file (the Kubernetes file is named by version).
  const missing = files.find((f) => !existsSync(join(dir, f)));
  if (missing !== undefined) return `${missing}: missing`;
  const memo = opts.memoDir === undefined ? undefined : join(opts.memoDir, memoKey(dir, pins, files));
  if (memo !== undefined && existsSync(memo)) return undefined;
  for (const f of pins.github) {
    const got = sha256(readFileSync(join(dir, f.file)));
    if (got !== f.sha256) return `${f.file}: sha256 ${got}, expected ${f.sha256} (pinned ${f.repository}@${f.commit})`;
  }
  const recorded = readSourcesTsv(dir);
  for (const m of pins.modules) {
    const moduleDir = extractedModuleDir(m.module, m.version, opts.env);
    const inCache = existsSync(moduleDir);
    for (const f of m.files) {
      const got = sha256(readFileSync(join(dir, f.file)));
      if (inCache) {
        if (got !== sha256(moduleFileContent(moduleDir, f)))
          return `${f.file}: differs from ${f.path} of ${m.module}@${m.version} (engines/${m.engine})`;
        continue;
      }
      const r = recorded.get(f.file);
      if (
        r === undefined ||
        r.repository !== m.module ||
        r.ref !== m.version ||
        r.commit !== m.sum ||
        r.path !== f.path
      )
        return (
          `${f.file}: cannot be checked against ${m.module}@${m.version} (engines/${m.engine}): ` +
          'the module is not in the module cache and SOURCES.tsv records no such origin for it'
        );
      if (got !== r.sha256) return `${f.file}: sha256 ${got}, expected ${r.sha256} (recorded in SOURCES.tsv)`;
    }
  }
  if (memo !== undefined) {
    try {
      mkdirSync(opts.memoDir as string, { recursive: true });
      writeFileSync(memo, '');
    } catch {
      // only a speed-up: an unwritable cache means checking again next time
    }
  }
  return undefined;
}
