import type * as JsYaml from 'js-yaml';

/**
 * js-yaml resolving plain scalars exactly as the `yaml` library's YAML 1.2 core schema does (the regular
 * expressions are copied from it), and nothing else: no merge keys, timestamps or binary, which the core schema
 * does not have either. js-yaml parses the same text in about a seventh of the CPU time. js-yaml itself is loaded
 * only when a text needs it (most texts are read by block-yaml.ts, which shares resolvePlain).
 */
interface Resolver {
  readonly tag: string;
  readonly resolve: (s: string | null) => boolean;
  readonly construct: (s: string) => unknown;
}

function scalar(tag: string, first: string, test: RegExp, construct: (s: string) => unknown): Resolver {
  return {
    tag,
    // `first`: the characters a match can start with, a cheap test that spares most strings the expression
    resolve: (s: string | null) => s !== null && s.length > 0 && first.includes(s.charAt(0)) && test.test(s),
    construct,
  };
}

const IMPLICIT_RESOLVERS: readonly Resolver[] = [
  {
    tag: 'null',
    resolve: (s: string | null) =>
      s === null || s === '' || ('~nN'.includes(s.charAt(0)) && /^(?:~|[Nn]ull|NULL)?$/.test(s)),
    construct: () => null,
  },
  scalar('bool', 'tTfF', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
  scalar('int', '+-0123456789', /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, (s) =>
    s.startsWith('0o') ? parseInt(s.slice(2), 8) : s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10),
  ),
  scalar(
    'float',
    '+-.0123456789',
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/,
    (s) =>
      s.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : s.slice(-3).toLowerCase() === 'inf'
          ? s[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY
          : parseFloat(s),
  ),
];

let jsYaml: { readonly lib: typeof JsYaml; readonly schema: JsYaml.Schema } | undefined;

/** js-yaml and CORE_SCHEMA (the failsafe schema plus IMPLICIT_RESOLVERS), loaded on first use (~25 ms). */
function jsYamlCore(): { readonly lib: typeof JsYaml; readonly schema: JsYaml.Schema } {
  if (jsYaml === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy CJS load; import() would need '.js' paths jest cannot resolve
    const lib = require('js-yaml') as typeof JsYaml;
    const implicit = IMPLICIT_RESOLVERS.map(
      (r) => new lib.Type(`tag:yaml.org,2002:${r.tag}`, { kind: 'scalar', resolve: r.resolve, construct: r.construct }),
    );
    jsYaml = { lib, schema: lib.FAILSAFE_SCHEMA.extend({ implicit }) };
  }
  return jsYaml;
}

/** A plain scalar as CORE_SCHEMA reads it: the first implicit type that resolves it constructs it, else a string. */
export function resolvePlain(s: string): unknown {
  // what no implicit type can start with (see their first characters) is a string
  if (s !== '' && !'~nNtTfF+-.0123456789'.includes(s.charAt(0))) return s;
  for (const r of IMPLICIT_RESOLVERS) if (r.resolve(s)) return r.construct(s);
  return s;
}

/**
 * Where js-yaml and the `yaml` library could disagree, so only the latter may read the text: tags (each resolves
 * them its own way) and null or complex keys (`~: 1`, `? k`: the two name such keys differently). Conservative: a
 * word starting with `!` or `?` in plain prose also counts. Anchors and flow nodes over several lines are caught
 * while parsing (see nodeListener).
 */
const NOT_FOR_JS_YAML = /(?:^|[\s,[{])(?:![^\s]|\?(?:[ \t]|$)|(?:~|null|Null|NULL)?[ \t]*:(?:[ \t]|$))/m;

/** `\s` of a regular expression. */
const WHITESPACE = /\s/;

/** Whether the character code `c` is matched by `\s`. */
function isWhitespace(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return WHITESPACE.test(text[i] as string);
}

/** Whether the character at `i` may come before an indicator in NOT_FOR_JS_YAML: `^` or `[\s,[{]`. */
function boundaryBefore(text: string, i: number): boolean {
  if (i < 0) return true;
  const c = text.charCodeAt(i);
  return c === 44 /* , */ || c === 91 /* [ */ || c === 123 /* { */ || isWhitespace(text, i);
}

/** Whether position `i` is a `$` of a multi-line regular expression or holds a space or tab. */
function blankAfter(text: string, i: number): boolean {
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/**
 * Whether NOT_FOR_JS_YAML matches `text`, found by looking at each `!`, `?` and `:` instead of trying the
 * expression at every position (a fifth of the time on rendered manifests). Tested against the expression.
 */
export function notForJsYaml(text: string): boolean {
  // a tag: `!` then a non-blank, after a boundary
  for (let i = text.indexOf('!'); i >= 0; i = text.indexOf('!', i + 1))
    if (i + 1 < text.length && !isWhitespace(text, i + 1) && boundaryBefore(text, i - 1)) return true;
  // a complex key: `?` then a blank or the end of the line, after a boundary
  for (let i = text.indexOf('?'); i >= 0; i = text.indexOf('?', i + 1))
    if (blankAfter(text, i + 1) && boundaryBefore(text, i - 1)) return true;
  // a null or empty key: `:` then a blank or the end of the line, after a boundary, maybe a null word between
  // (spaces between would be a boundary themselves)
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    if (!blankAfter(text, i + 1)) continue;
    if (boundaryBefore(text, i - 1)) return true;
    const last = text.charCodeAt(i - 1);
    if (last === 126 /* ~ */ && boundaryBefore(text, i - 2)) return true;
    if ((last === 108 /* l */ || last === 76) /* L */ && i >= 4) {
      const word = text.slice(i - 4, i);
      if ((word === 'null' || word === 'Null' || word === 'NULL') && boundaryBefore(text, i - 5)) return true;
    }
  }
  return false;
}

/** NOT_FOR_JS_YAML itself, the reference `notForJsYaml` is tested against. */
export const NOT_FOR_JS_YAML_REFERENCE = NOT_FOR_JS_YAML;

/**
 * Whether a flow collection or nothing may be a key in `text`: a `]` or `}` followed, after white space, by a `:`
 * (`[a]: 1`, `{[a]: 1}`, `{{a: 1}: 2}`), or a `[`, `{` or `,` followed, after spaces or tabs, by a `:` (`[:]`,
 * `{a: 1, : 2}`). The two name such keys differently (the `yaml` library `"[ a ]"` with a warning and `""`, js-yaml
 * `"a"` or `"[object Object]"` and `"null"`). Conservative: the same characters in a quoted string or plain prose
 * also count.
 */
export function mayHaveCollectionOrEmptyKey(text: string): boolean {
  for (const close of [']', '}']) {
    for (let i = text.indexOf(close); i >= 0; i = text.indexOf(close, i + 1)) {
      let j = i + 1;
      while (j < text.length && isWhitespace(text, j)) j++;
      if (text.charCodeAt(j) === 58 /* : */) return true;
    }
  }
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    let j = i - 1;
    while (j >= 0 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j--;
    const c = text.charCodeAt(j);
    if (c === 91 /* [ */ || c === 123 /* { */ || c === 44 /* , */) return true;
  }
  return false;
}

/**
 * Whether js-yaml may break `text` into lines or documents differently from the `yaml` library:
 * - a CR not followed by LF (a line break for js-yaml, not for the `yaml` library);
 * - a line starting with `---` and then neither white space nor its end (js-yaml reads `---x` at the start of a
 *   document as a document start and `x`, the `yaml` library as the plain scalar `---x`);
 * - a line starting with `---` or `...`, white space and more than a comment (`--- - a`, `... x`: js-yaml reads
 *   some of these where the `yaml` library refuses them);
 * - a tab in the white space a line starts with (js-yaml reads `\t---` as a document start, the `yaml` library
 *   refuses tabs as indentation).
 * Conservative: such a line inside a scalar counts too.
 */
export function mayBreakLinesDifferently(text: string): boolean {
  for (let i = text.indexOf('\t'); i >= 0; i = text.indexOf('\t', i + 1)) {
    let j = i - 1;
    while (j >= 0 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j--;
    if (j < 0 || text.charCodeAt(j) === 10) return true;
  }
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1))
    if (text.charCodeAt(i + 1) !== 10 /* \n */) return true;
  for (const marker of ['---', '...']) {
    for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
      const lineStart = i === 0 || text.charCodeAt(i - 1) === 10 || (i === 1 && text.charCodeAt(0) === 0xfeff);
      if (!lineStart || i + 3 >= text.length) continue;
      let j = i + 3;
      const c = text.charCodeAt(j);
      if (c !== 32 && c !== 9) {
        if (marker === '---' && c !== 10 && c !== 13) return true;
        continue;
      }
      while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
      const d = text.charCodeAt(j);
      if (j < text.length && d !== 10 && d !== 13 && d !== 35 /* # */) return true;
    }
  }
  return false;
}

/** Thrown from js-yaml's listener at a node the `yaml` library could read differently (see nodeListener). */
class Refused extends Error {}

/** What js-yaml's listener sees of its state. */
interface ListenerState {
  readonly input: string;
  readonly position: number;
  readonly kind: string | null;
  readonly anchor: string | null;
}

/** Where the node starting at or after `from` begins: after white space, line breaks and comments. */
function contentStart(input: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = input.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 /* # */) {
      const eol = input.indexOf('\n', i);
      i = eol < 0 ? to : eol;
    } else break;
  }
  return i;
}

/**
 * A js-yaml listener that refuses (throws Refused) what js-yaml reads where the `yaml` library does not, or not the
 * same way, as they are read:
 * - an anchor: the `yaml` library bounds alias expansion, js-yaml does not;
 * - a quoted scalar or flow collection over several lines (`"x\n  y"`, `[a,\n  b]`): js-yaml does not check how its
 *   lines are indented, the `yaml` library requires them to be indented more than the block they are in (and says
 *   `Missing closing "quote` or `Flow sequence in block collection must be sufficiently indented` otherwise);
 * - a quoted scalar or flow collection directly followed by `#` (`"x"#c`): js-yaml reads a comment, the `yaml`
 *   library says `Comments must be separated from other tokens by white space characters`;
 * - a document's node not starting a line (`  - a\n- b`: js-yaml reads less indented entries into it) and a block
 *   scalar that is a document's node or has an indentation indicator (`|1`): js-yaml finds their content lines
 *   differently.
 *
 * Each node's text runs from where js-yaml opens it (maybe before white space and comments) to where it closes it
 * (just after its last character), in js-yaml's own copy of the text (`state.input`).
 */
function nodeListener(): (event: string, state: ListenerState) => void {
  const opened: number[] = [];
  return (event, state) => {
    if (event === 'open') {
      opened.push(state.position);
      return;
    }
    const from = opened.pop() as number;
    if (state.anchor !== null && state.anchor !== undefined) throw new Refused();
    if (state.kind === null) return;
    const { input, position } = state;
    const start = contentStart(input, from, position);
    const c = input.charCodeAt(start);
    const flow = state.kind === 'scalar' ? c === 34 /* " */ || c === 39 /* ' */ : c === 91 /* [ */ || c === 123; /* { */
    if (opened.length === 0 && start > 0 && input.charCodeAt(start - 1) !== 10) throw new Refused();
    if (state.kind === 'scalar' && (c === 124 /* | */ || c === 62) /* > */) {
      const header = input.charCodeAt(start + 1) === 45 || input.charCodeAt(start + 1) === 43 ? start + 2 : start + 1;
      const digit = input.charCodeAt(header);
      if (opened.length === 0 || (digit >= 48 && digit <= 57)) throw new Refused();
    }
    if (!flow) return;
    const nl = input.indexOf('\n', start);
    if (nl >= 0 && nl < position) throw new Refused();
    if (input.charCodeAt(position) === 35 /* # */) throw new Refused();
  };
}

/**
 * Whether a line of `text` starts with `%` (a directive, or what the `yaml` library would read as one): `/^%/m`,
 * without a regular expression trying every position of a large file. A directive applies to the document after
 * it, and `%YAML 1.1` makes the `yaml` library resolve scalars by YAML 1.1 rules (`yes`, `0b11`, `1_000`).
 */
export function hasDirective(text: string): boolean {
  return (
    text.startsWith('%') ||
    text.includes('\n%') ||
    text.includes('\r%') ||
    text.includes('\u2028%') ||
    text.includes('\u2029%')
  );
}

/**
 * The documents of `text` as the `yaml` library's core schema reads them, when js-yaml can be trusted to read them
 * the same way and they parse without error; otherwise undefined (the caller parses with the `yaml` library).
 * Texts with directives (see hasDirective), where a collection or nothing may be a key (see mayHaveCollectionOrEmptyKey) or where the
 * two may find different lines (see mayBreakLinesDifferently) are left to the `yaml` library.
 */
export function loadAllFast(text: string): unknown[] | undefined {
  if (hasDirective(text) || notForJsYaml(text) || mayHaveCollectionOrEmptyKey(text) || mayBreakLinesDifferently(text))
    return undefined;
  const listener = nodeListener() as unknown as JsYaml.LoadOptions['listener'];
  const { lib, schema } = jsYamlCore();
  try {
    return lib.loadAll(text, undefined, { schema, listener });
  } catch {
    // refused by the listener, a syntax error, a duplicate key: the `yaml` library reads it and reports errors
    return undefined;
  }
}
