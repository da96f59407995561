import type * as Yaml from 'yaml';
import { hasDirective } from '@metrics-platform/cdk8s/lib/yaml/js-yaml-core';
import { loadDocumentsFast } from '@metrics-platform/cdk8s/lib/yaml/parse';

let loadedYaml: typeof Yaml | undefined;

/**
 * The `yaml` library, loaded on first use: it costs ~70 ms to load and most runs never need it (js-yaml reads
 * clean documents; the `yaml` library reads the rest and reports errors with their positions).
 */
export function yamlLibrary(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy CJS load; import() would need '.js' paths jest cannot resolve
  loadedYaml ??= require('yaml') as typeof Yaml;
  return loadedYaml;
}

/** One document of a YAML file: its value, or the parser's errors (one line each, with line and column). */
export type ParsedDocument =
  { readonly value: unknown; readonly errors?: undefined } | { readonly errors: string[]; readonly value?: undefined };

const PARSE_OPTIONS = { prettyErrors: true, uniqueKeys: true } as const;
const TO_JS_OPTIONS = { maxAliasCount: 100 } as const;

/** Parses every document of `text` as one file, exactly as reported to users (errors with file positions). */
export function parseFileDocuments(text: string): ParsedDocument[] {
  return yamlLibrary()
    .parseAllDocuments(text, PARSE_OPTIONS)
    .map((doc) =>
      doc.errors.length > 0
        ? { errors: doc.errors.map((e) => e.message.split('\n')[0] ?? '') }
        : { value: doc.toJS(TO_JS_OPTIONS) },
    );
}

/** A line that starts a document and holds nothing else (`---`, maybe a comment): where a file may be cut. */
const DOCUMENT_START = /^---[ \t]*(?:#[^\n]*)?\r?$/gm;
/** DOCUMENT_START at one position (sticky), for the candidates `cut` finds. */
const DOCUMENT_LINE = new RegExp(DOCUMENT_START.source, 'my');

/**
 * Parses YAML files document by document, each distinct document text once: a rendered platform repeats the same
 * documents (the platform API in every environment) byte for byte, and parsing is most of what validation costs.
 * Identical documents share one value: callers must not mutate it (copy first).
 *
 * The cut is taken only where it cannot change the result: at `---` lines, in files without directives (`%YAML`,
 * `%TAG` apply to the document after them), and only when every piece parses cleanly into mappings. Anything else
 * (a syntax error, a scalar or list document, a directive) is parsed as one file, so messages and positions are
 * exactly those of a whole-file parse.
 */
/** A distinct document text, kept as a string of its own (see ownCopy), and its values (undefined: not clean). */
interface Piece {
  readonly text: string;
  readonly values: unknown[] | undefined;
}

export class DocumentCache {
  private readonly pieces = new Map<string, Piece>();
  /**
   * Per hint (the file name), the pieces of the last file parsed under it: the same file of the next environment
   * mostly repeats them at the same positions, and comparing two strings is a fraction of the cost of hashing one
   * for the map (each distinct piece is still parsed once, and its value shared).
   */
  private readonly previous = new Map<string, Piece[]>();

  /** Distinct document texts parsed so far (for tests and benchmarks). */
  get distinct(): number {
    return this.pieces.size;
  }

  /** `hint`: a name that files likely to repeat each other's documents share (loadFiles: the file name). */
  parse(text: string, hint?: string): ParsedDocument[] {
    if (hasDirective(text)) return parseFileDocuments(text);
    const texts = cut(text);
    const last = hint === undefined ? undefined : this.previous.get(hint);
    const pieces: Piece[] = [];
    const values: unknown[] = [];
    for (const [i, piece] of texts.entries()) {
      let found = last?.[i];
      if (found === undefined || found.text !== piece) {
        found = this.pieces.get(piece);
        if (found === undefined) {
          // A copy of the piece, so that neither the map, the last pieces of a file name nor the values (which
          // slice it) keep the whole file text alive: most of a file repeats documents seen before, and keeping
          // every file text in memory cost more garbage collection than its parsing.
          const own = ownCopy(piece);
          found = { text: own, values: cleanMappings(own) };
          this.pieces.set(own, found);
        }
      }
      if (found.values === undefined) return parseFileDocuments(text);
      pieces.push(found);
      values.push(...found.values);
    }
    if (hint !== undefined) this.previous.set(hint, pieces);
    return values.map((value) => ({ value }));
  }
}

/**
 * `text` as a string of its own: a substring shares (and keeps alive) the string it was taken from; the substring
 * of a concatenation is taken from a new flat copy of it instead.
 */
export function ownCopy(text: string): string {
  return ` ${text}`.slice(1);
}

/** The pieces of `text`, each from a document start line (DOCUMENT_START) to the next. */
export function cut(text: string): string[] {
  const pieces: string[] = [];
  let from = 0;
  // Candidates are the `---` of the text; DOCUMENT_LINE, anchored at one, says whether it starts such a line.
  for (let at = text.indexOf('---'); at >= 0; at = text.indexOf('---', at + 3)) {
    DOCUMENT_LINE.lastIndex = at;
    if (!DOCUMENT_LINE.test(text)) continue;
    if (at > from) pieces.push(text.slice(from, at));
    from = at;
  }
  if (from < text.length) pieces.push(text.slice(from));
  return pieces;
}

const isMappingOrNothing = (v: unknown): boolean =>
  v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v));

/** The documents of a piece when each parses without error into a mapping or nothing; otherwise undefined. */
function cleanMappings(piece: string): unknown[] | undefined {
  // the fast readers (the block-subset reader, then js-yaml with the core schema) read only what the yaml library
  // reads the same way, without error
  const fast = loadDocumentsFast(piece);
  if (fast !== undefined && fast.every(isMappingOrNothing)) return fast;
  const values: unknown[] = [];
  for (const doc of yamlLibrary().parseAllDocuments(piece, PARSE_OPTIONS)) {
    if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
    let value: unknown;
    try {
      value = doc.toJS(TO_JS_OPTIONS);
    } catch {
      return undefined; // e.g. too many aliases: the whole-file parse says so
    }
    if (!isMappingOrNothing(value)) return undefined;
    values.push(value);
  }
  return values;
}
