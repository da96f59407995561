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

/**
 * Whether `text` holds only what js-yaml accepts anywhere in its input (it refuses what its PATTERN_NON_PRINTABLE
 * matches: C0 and C1 controls, U+FFFE, U+FFFF, unpaired surrogates) and no tab, CR, NEL or byte order mark
 * (which the subset leaves to the parsers).
 */
function printable(text: string): boolean {
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

interface Line {
  indent: number;
  /** The line without its indentation; never empty, never a comment. */
  text: string;
}

/** The documents of `text` when it is in the subset; otherwise undefined. */
export function loadBlockSubset(text: string): unknown[] | undefined {
  if (text === '') return [];
  if (!printable(text)) return undefined;
  const lines: Line[] = [];
  let started = false;
  for (const raw of text.split('\n')) {
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    if (indent === raw.length) continue; // blank
    const body = raw.slice(indent);
    if (body.startsWith('#')) continue;
    if (indent === 0 && (body.startsWith('---') || body.startsWith('...'))) {
      // one document start, before any content, alone on its line (maybe with a comment)
      if (started || lines.length > 0 || !/^---(?: +#.*| *)$/.test(body)) return undefined;
      started = true;
      continue;
    }
    if (body.endsWith(' ')) return undefined; // trailing spaces: let the parsers decide
    lines.push({ indent, text: body });
  }
  // no content: a document when it was started, else none (as the `yaml` library reads it; js-yaml: one null)
  if (lines.length === 0) return started ? [null] : [];
  try {
    const reader = new Reader(lines);
    const value = reader.block(0);
    if (reader.at < lines.length) return undefined;
    return [value];
  } catch (err) {
    if (err === NOT_IN_SUBSET) return undefined;
    throw err;
  }
}

const isSequenceEntry = (text: string): boolean => text === '-' || text.startsWith('- ');

class Reader {
  at = 0;

  constructor(private readonly lines: Line[]) {}

  /** The collection starting at the current line, whose indentation must be at least `min`. */
  block(min: number): unknown {
    const line = this.lines[this.at];
    if (line === undefined || line.indent < min) return fail();
    return isSequenceEntry(line.text) ? this.sequence(line.indent) : this.mapping(line.indent);
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.lines[this.at]; line !== undefined && line.indent >= indent; line = this.lines[this.at]) {
      if (line.indent > indent || isSequenceEntry(line.text)) return fail();
      const { key, rest } = splitKey(line.text);
      if (Object.prototype.hasOwnProperty.call(out, key) || key === '__proto__' || key === '<<') return fail();
      this.at++;
      let value: unknown;
      if (rest === '') {
        const next = this.lines[this.at];
        if (next !== undefined && next.indent > indent) value = this.block(indent + 1);
        else if (next !== undefined && next.indent === indent && isSequenceEntry(next.text))
          value = this.sequence(indent);
        else value = null;
      } else {
        value = scalar(rest);
        this.singleLine(indent);
      }
      out[key] = value;
    }
    return out;
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.lines[this.at]; line !== undefined && line.indent >= indent; line = this.lines[this.at]) {
      if (line.indent > indent) return fail();
      if (!isSequenceEntry(line.text)) break; // the next key of a mapping at the same indentation
      if (line.text === '-') {
        this.at++;
        const next = this.lines[this.at];
        out.push(next !== undefined && next.indent > indent ? this.block(indent + 1) : null);
        continue;
      }
      let spaces = 1;
      while (line.text.charCodeAt(spaces) === 32) spaces++;
      const rest = line.text.slice(spaces);
      if (isSequenceEntry(rest)) return fail(); // a sequence in a sequence on one line
      if (isMappingEntry(rest)) {
        // `- key: value`: a mapping indented at its first key; the line becomes that key's line
        line.indent += spaces;
        line.text = rest;
        out.push(this.mapping(line.indent));
        continue;
      }
      this.at++;
      out.push(scalar(rest));
      this.singleLine(indent);
    }
    return out;
  }

  /** A scalar value ended its line: the next line must not continue it (a multi-line scalar). */
  private singleLine(indent: number): void {
    const next = this.lines[this.at];
    if (next !== undefined && next.indent > indent) fail();
  }
}

/** Whether `text` is `key: ...` or `key:` (a plain or quoted key). */
function isMappingEntry(text: string): boolean {
  return keyOf(text) !== undefined;
}

/** The key of a mapping line and what follows `: ` ('' when nothing). */
function splitKey(text: string): { key: string; rest: string } {
  return keyOf(text) ?? fail();
}

/** splitKey, or undefined when `text` is not a mapping line of the subset. */
function keyOf(text: string): { key: string; rest: string } | undefined {
  let key: string;
  let end: number;
  const first = text[0];
  if (first === '"' || first === "'") {
    const q = quotedOrUndefined(text);
    if (q === undefined) return undefined;
    key = q.value;
    end = q.end;
    if (text[end] !== ':') return undefined;
  } else {
    end = text.indexOf(': ');
    if (end < 0) {
      if (!text.endsWith(':')) return undefined;
      end = text.length - 1;
    }
    key = text.slice(0, end);
    if (key === '' || key.endsWith(' ') || key.includes(' #') || PLAIN_START_REFUSED.has(key[0] as string))
      return undefined;
    if (key.startsWith('- ') || key === '-') return undefined;
    if (typeof resolvePlain(key) !== 'string') return undefined; // null, bool and number keys: let the parsers name them
  }
  // after the colon: the end of the line, or spaces and the value
  if (end + 1 === text.length) return { key, rest: '' };
  if (text[end + 1] !== ' ') return undefined;
  return { key, rest: text.slice(end + 2).trimStart() };
}

/** A one-line scalar value (the rest of a line). */
function scalar(text: string): unknown {
  const first = text[0];
  if (first === '"' || first === "'") {
    const q = quoted(text);
    if (q.end !== text.length) return fail(); // a comment or more after the closing quote
    return q.value;
  }
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (PLAIN_START_REFUSED.has(first as string) || text.startsWith('- ') || text === '-') return fail();
  if (text.includes(': ') || text.endsWith(':') || text.includes(' #')) return fail();
  return resolvePlain(text);
}

const ESCAPES = new Map(
  Object.entries({ '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }),
);

/** A quoted scalar at the start of `text`: its value and where it ends (after the closing quote). */
function quoted(text: string): { value: string; end: number } {
  return quotedOrUndefined(text) ?? fail();
}

/** quoted, or undefined when the scalar is not in the subset (not closed on the line, an unusual escape). */
function quotedOrUndefined(text: string): { value: string; end: number } | undefined {
  const quote = text[0];
  let value = '';
  let i = 1;
  if (quote === "'") {
    for (;;) {
      const close = text.indexOf("'", i);
      if (close < 0) return undefined;
      value += text.slice(i, close);
      if (text[close + 1] === "'") {
        value += "'";
        i = close + 2;
      } else return { value, end: close + 1 };
    }
  }
  for (;;) {
    const close = text.indexOf('"', i);
    const escape = text.indexOf('\\', i);
    if (close < 0) return undefined;
    if (escape < 0 || escape > close) return { value: value + text.slice(i, close), end: close + 1 };
    value += text.slice(i, escape);
    const c = text[escape + 1] as string;
    if (c === 'u') {
      const hex = text.slice(escape + 2, escape + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
      const code = parseInt(hex, 16);
      if (code >= 0xd800 && code <= 0xdfff) return undefined;
      value += String.fromCharCode(code);
      i = escape + 6;
    } else {
      const e = ESCAPES.get(c);
      if (e === undefined) return undefined;
      value += e;
      i = escape + 2;
    }
  }
}
