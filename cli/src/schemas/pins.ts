import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  GITHUB_PINS_LABEL,
  PINNED_SCHEMA_FILES,
  SCHEMA_MODULES,
  type ModuleFile,
  type PinnedSchemaFile,
  type SchemaModule,
} from './manifest';

/** The checkout this CLI belongs to (this file is `cli/src/schemas/` or `cli/lib/schemas/`): its engines/ are the pins. */
export const CHECKOUT_ROOT = resolve(__dirname, '..', '..', '..');

/** A module file with its name in the schemas directory resolved. */
export interface ResolvedModuleFile extends ModuleFile {
  readonly file: string;
}

/** A schema module at the version its engine's go.mod requires, with the go.sum hash of that version. */
export interface ModulePin {
  readonly engine: string;
  readonly module: string;
  readonly label: string;
  readonly version: string;
  /** go.sum's `h1:` hash of the module content. */
  readonly sum: string;
  readonly files: readonly ResolvedModuleFile[];
}

/** Every pinned schema file: by GitHub commit and sha256, or by module version (from engines/). */
export interface SchemaPins {
  /** Names the pin set; the user cache keeps one directory per id, so checkouts with different pins coexist. */
  readonly id: string;
  readonly github: readonly PinnedSchemaFile[];
  readonly modules: readonly ModulePin[];
}

/** An engine's go.mod or go.sum does not pin a schema module; one line. */
export class SchemaPinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaPinError';
  }
}

/** The version `go.mod` requires of `module` (a `require` line or a line of a `require (...)` block). */
export function requiredVersion(goMod: string, module: string): string | undefined {
  let inBlock = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock && line === ')') inBlock = false;
    else if (/^require\s*\($/.test(line)) inBlock = true;
    else {
      const fields = (inBlock ? line : (/^require\s+(.*)$/.exec(line)?.[1] ?? '')).split(/\s+/);
      if (fields[0] === module && fields[1] !== undefined) return fields[1];
    }
  }
  return undefined;
}

/** go.sum's `h1:` hash of `module@version`'s content (not of its go.mod). */
export function goSumHash(goSum: string, module: string, version: string): string | undefined {
  for (const line of goSum.split('\n')) {
    const [m, v, h] = line.trim().split(/\s+/);
    if (m === module && v === version && h !== undefined) return h;
  }
  return undefined;
}

function readPinFile(path: string, what: string): string {
  if (!existsSync(path)) throw new SchemaPinError(`${path}: missing; ${what}`);
  return readFileSync(path, 'utf8');
}

/** Resolves one schema module against `engines/<engine>/go.mod` and `go.sum` under `root`. */
export function pinModule(root: string, m: SchemaModule): ModulePin {
  const dir = join(root, 'engines', m.engine);
  const goMod = readPinFile(join(dir, 'go.mod'), `expected the engine module that pins ${m.module}`);
  const version = requiredVersion(goMod, m.module);
  if (version === undefined)
    throw new SchemaPinError(`engines/${m.engine}/go.mod: expected a require of ${m.module}; found none`);
  const goSum = readPinFile(join(dir, 'go.sum'), `expected the checksums of ${m.module}@${version}`);
  const sum = goSumHash(goSum, m.module, version);
  if (sum === undefined)
    throw new SchemaPinError(`engines/${m.engine}/go.sum: expected an h1: line for ${m.module} ${version}; found none`);
  const files = m.files.map((f) => ({ ...f, file: f.file.replace('{version}', version) }));
  return { engine: m.engine, module: m.module, label: m.label, version, sum, files };
}

function pinSetId(github: readonly PinnedSchemaFile[], modules: readonly ModulePin[]): string {
  const h = createHash('sha256');
  for (const f of github) h.update(`${f.file}\0${f.repository}\0${f.commit}\0${f.path}\0${f.sha256}\n`);
  for (const m of modules) {
    h.update(`${m.module}\0${m.version}\0${m.sum}\n`);
    for (const f of m.files) h.update(`${f.file}\0${f.path}\0${f.extract ?? ''}\n`);
  }
  const names = modules.map((m) => `${m.label}-${m.version.replace(/^v/, '')}`);
  return [...names, GITHUB_PINS_LABEL].join('_') + `-${h.digest('hex').slice(0, 12)}`;
}

export interface SchemaPinsOptions {
  /** The checkout whose engines/ pin the modules. @default CHECKOUT_ROOT */
  readonly root?: string;
  /** @default SCHEMA_MODULES */
  readonly modules?: readonly SchemaModule[];
  /** @default PINNED_SCHEMA_FILES */
  readonly github?: readonly PinnedSchemaFile[];
}

const memo = new Map<string, SchemaPins>();

/** The current pin set: the GitHub pins of manifest.ts and each schema module at its engine's version. */
export function readSchemaPins(opts: SchemaPinsOptions = {}): SchemaPins {
  const root = opts.root ?? CHECKOUT_ROOT;
  const defaults = opts.modules === undefined && opts.github === undefined;
  const cached = defaults ? memo.get(root) : undefined;
  if (cached !== undefined) return cached;
  const github = opts.github ?? PINNED_SCHEMA_FILES;
  const modules = (opts.modules ?? SCHEMA_MODULES).map((m) => pinModule(root, m));
  const pins = { id: pinSetId(github, modules), github, modules };
  if (defaults) memo.set(root, pins);
  return pins;
}

/** How many files the pin set holds. */
export function pinnedFileCount(pins: SchemaPins): number {
  return pins.github.length + pins.modules.reduce((n, m) => n + m.files.length, 0);
}
