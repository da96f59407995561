import { resolvePlain } from './js-yaml-core';

/**
 * A reader for the plain block YAML that `platform synth` writes (and most hand-written manifests are): block
 * mappings and sequences, one-line plain, single- and double-quoted scalars, `{}` and `[]`, comment lines. It
 * reads such text about three times as fast as js-yaml, and gives up (undefined) on anything else: flow
 * collections, block scalars, multi-line scalars, anchors, tags, comments after a value, tabs, CR, escapes
 * other than the common ones, duplicate keys, keys that are not strings, indentation it does not expect. The
 * caller then parses the text with js-yaml or the `yaml` library, so a text is read by this reader only when it
 * yields what those read (the tests compare them on every generated file and on mutated ones).
 */

/** Gave up: the text is not in the subset. One instance, thrown as is: no stack to capture on every refusal. */
const NOT_IN_SUBSET = new Error('not in the subset');

const fail = (): never => {
  throw NOT_IN_SUBSET;
};

/** A character outside newline, printable ASCII and the BMP without surrogates, U+FEFF, U+FFFE and U+FFFF. */
const UNUSUAL = /[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;

/**
 * Whether `text` holds only what js-yaml accepts anywhere in its input (it refuses what its PATTERN_NON_PRINTABLE
 * matches: C0 and C1 controls, U+FFFE, U+FFFF, unpaired surrogates) and no tab, CR, NEL or byte order mark
 * (which the subset leaves to the parsers).
 */
function printable(text: string): boolean {
  // most texts hold only these characters: one search by the regular expression engine instead of a loop
  if (!UNUSUAL.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x7f) {
      if (c < 0x20 && c !== 10) return false;
    } else if (c <= 0x9f) {
      return false; // C1 controls (js-yaml accepts NEL, U+0085, which the subset leaves to it)
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if ((c >= 0xdc00 && c <= 0xdfff) || c === 0xfffe || c === 0xffff || c === 0xfeff) return false;
  }
  return true;
}

/** Characters a plain scalar (or key) may not start with in the subset. */
const PLAIN_START_REFUSED = new Set([...'[]{},#&*!|>\'"%@`?:']);

/** The documents of `text` when it is in the subset; otherwise undefined. */
export function loadBlockSubset(text: string): unknown[] | undefined {
  if (text === '') return [];
  if (!printable(text)) return undefined;
  // Each content line as three numbers (no string per line): its indentation, where its content starts (after the
  // indentation) and where it ends (before the newline).
  const indents: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let started = false;
  for (let from = 0; from < text.length;) {
    let end = text.indexOf('\n', from);
    if (end < 0) end = text.length;
    let start = from;
    while (start < end && text.charCodeAt(start) === 32) start++;
    const indent = start - from;
    from = end + 1;
    if (start === end) continue; // blank
    const c = text.charCodeAt(start);
    if (c === 35 /* # */) continue;
    if (
      indent === 0 &&
      ((c === 45 /* - */ && text.startsWith('---', start)) || (c === 46 /* . */ && text.startsWith('...', start)))
    ) {
      // one document start, before any content, alone on its line (maybe with a comment)
      if (started || indents.length > 0 || !/^---(?: +#.*| *)$/.test(text.slice(start, end))) return undefined;
      started = true;
      continue;
    }
    if (text.charCodeAt(end - 1) === 32) return undefined; // trailing spaces: let the parsers decide
    indents.push(indent);
    starts.push(start);
    ends.push(end);
  }
  // no content: a document when it was started, else none (as the `yaml` library reads it; js-yaml: one null)
  if (indents.length === 0) return started ? [null] : [];
  try {
    const reader = new Reader(text, indents, starts, ends);
    const value = reader.block(0);
    if (reader.at < indents.length) return undefined;
    return [value];
  } catch (err) {
    if (err === NOT_IN_SUBSET) return undefined;
    throw err;
  }
}

class Reader {
  at = 0;
  /** Set by keyAt: where the value after `key: ` starts on the line, or -1 when the line ends at the colon. */
  private restAt = -1;

  constructor(
    private readonly text: string,
    private readonly indents: number[],
    private readonly starts: number[],
    private readonly ends: number[],
  ) {}

  /** Whether line `l` is a sequence entry: `-` alone or `- ...`. */
  private isSequenceEntry(l: number): boolean {
    const s = this.starts[l] as number;
    return this.text.charCodeAt(s) === 45 && (s + 1 === this.ends[l] || this.text.charCodeAt(s + 1) === 32);
  }

  /** The collection starting at the current line, whose indentation must be at least `min`. */
  block(min: number): unknown {
    const l = this.at;
    if (l >= this.indents.length || (this.indents[l] as number) < min) return fail();
    return this.isSequenceEntry(l) ? this.sequence(this.indents[l] as number) : this.mapping(this.indents[l] as number);
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const { indents } = this;
    const n = indents.length;
    while (this.at < n && (indents[this.at] as number) >= indent) {
      const l = this.at;
      if ((indents[l] as number) > indent || this.isSequenceEntry(l)) return fail();
      const key = this.keyAt(this.starts[l] as number, this.ends[l] as number) ?? fail();
      const restAt = this.restAt;
      if (Object.prototype.hasOwnProperty.call(out, key) || key === '__proto__' || key === '<<') return fail();
      this.at++;
      let value: unknown;
      if (restAt < 0) {
        const next = this.at;
        if (next < n && (indents[next] as number) > indent) value = this.block(indent + 1);
        else if (next < n && indents[next] === indent && this.isSequenceEntry(next)) value = this.sequence(indent);
        else value = null;
      } else {
        value = this.scalar(restAt, this.ends[l] as number);
        this.singleLine(indent);
      }
      out[key] = value;
    }
    return out;
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    const { indents, starts, text } = this;
    const n = indents.length;
    while (this.at < n && (indents[this.at] as number) >= indent) {
      const l = this.at;
      if ((indents[l] as number) > indent) return fail();
      if (!this.isSequenceEntry(l)) break; // the next key of a mapping at the same indentation
      const s = starts[l] as number;
      const e = this.ends[l] as number;
      if (s + 1 === e) {
        // `-` alone: the entry is the block below, or null
        this.at++;
        const next = this.at;
        out.push(next < n && (indents[next] as number) > indent ? this.block(indent + 1) : null);
        continue;
      }
      let spaces = 1;
      while (text.charCodeAt(s + spaces) === 32) spaces++;
      const rest = s + spaces;
      // a sequence in a sequence on one line
      if (text.charCodeAt(rest) === 45 && (rest + 1 === e || text.charCodeAt(rest + 1) === 32)) return fail();
      if (this.keyAt(rest, e) !== undefined) {
        // `- key: value`: a mapping indented at its first key; the line becomes that key's line
        indents[l] = indent + spaces;
        starts[l] = rest;
        out.push(this.mapping(indent + spaces));
        continue;
      }
      this.at++;
      out.push(this.scalar(rest, e));
      this.singleLine(indent);
    }
    return out;
  }

  /** A scalar value ended its line: the next line must not continue it (a multi-line scalar). */
  private singleLine(indent: number): void {
    if (this.at < this.indents.length && (this.indents[this.at] as number) > indent) fail();
  }

  /**
   * The key of the mapping line text[s, e) (`key: ...` or `key:`, a plain or quoted key), setting restAt; undefined
   * when it is not a mapping line of the subset.
   */
  private keyAt(s: number, e: number): string | undefined {
    const { text } = this;
    let key: string;
    let end: number;
    const first = text.charCodeAt(s);
    if (first === 34 /* " */ || first === 39 /* ' */) {
      const q = quotedOrUndefined(text, s, e);
      if (q === undefined) return undefined;
      key = q;
      end = quotedEnd;
      if (text.charCodeAt(end) !== 58 /* : */ || end >= e) return undefined;
    } else {
      end = text.indexOf(': ', s);
      if (end < 0 || end >= e) {
        if (text.charCodeAt(e - 1) !== 58 /* : */) return undefined;
        end = e - 1;
      }
      if (end === s) return undefined; // an empty key
      key = text.slice(s, end);
      if (text.charCodeAt(end - 1) === 32 || key.includes(' #') || PLAIN_START_REFUSED.has(key[0] as string))
        return undefined;
      if (key === '-' || key.startsWith('- ')) return undefined;
      if (typeof resolvePlain(key) !== 'string') return undefined; // null, bool and number keys: let the parsers name them
    }
    // after the colon: the end of the line, or spaces and the value
    if (end + 1 === e) {
      this.restAt = -1;
      return key;
    }
    if (text.charCodeAt(end + 1) !== 32) return undefined;
    let rest = end + 2;
    while (text.charCodeAt(rest) === 32) rest++;
    // `key:  ` ends in spaces, which the line scan refused: a value follows
    this.restAt = rest;
    return key;
  }

  /** A one-line scalar value, text[s, e). */
  private scalar(s: number, e: number): unknown {
    const { text } = this;
    const first = text.charCodeAt(s);
    if (first === 34 /* " */ || first === 39 /* ' */) {
      const value = quotedOrUndefined(text, s, e) ?? fail();
      if (quotedEnd !== e) return fail(); // a comment or more after the closing quote
      return value;
    }
    const value = text.slice(s, e);
    if (value === '{}') return {};
    if (value === '[]') return [];
    if (PLAIN_START_REFUSED.has(value[0] as string) || value.startsWith('- ') || value === '-') return fail();
    if (value.includes(': ') || value.endsWith(':') || value.includes(' #')) return fail();
    return resolvePlain(value);
  }
}

const ESCAPES = new Map(
  Object.entries({ '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }),
);

/** Where the last scalar quotedOrUndefined read ends (after its closing quote). */
let quotedEnd = 0;

/**
 * The value of the quoted scalar starting at text[s] and closed before `e` (the end of its line), setting
 * quotedEnd; undefined when it is not in the subset (not closed on the line, an unusual escape).
 */
function quotedOrUndefined(text: string, s: number, e: number): string | undefined {
  const quote = text[s];
  let value = '';
  let i = s + 1;
  if (quote === "'") {
    for (;;) {
      const close = text.indexOf("'", i);
      if (close < 0 || close >= e) return undefined;
      value += text.slice(i, close);
      if (text.charCodeAt(close + 1) === 39 && close + 1 < e) {
        value += "'";
        i = close + 2;
      } else {
        quotedEnd = close + 1;
        return value;
      }
    }
  }
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0 || close >= e) return undefined;
    const escape = text.indexOf('\\', i);
    if (escape < 0 || escape > close) {
      quotedEnd = close + 1;
      return value + text.slice(i, close);
    }
    value += text.slice(i, escape);
    const c = text[escape + 1] as string;
    if (c === 'u') {
      const hex = text.slice(escape + 2, Math.min(escape + 6, e));
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
      const code = parseInt(hex, 16);
      if (code >= 0xd800 && code <= 0xdfff) return undefined;
      value += String.fromCharCode(code);
      i = escape + 6;
    } else {
      const esc = ESCAPES.get(c);
      if (esc === undefined) return undefined;
      value += esc;
      i = escape + 2;
    }
  }
}
