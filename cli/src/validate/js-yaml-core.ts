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
 * word starting with `!` or `?` in plain prose also counts. Anchors are caught while parsing (see loadAllFast).
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

/** Thrown from js-yaml's listener at the first anchor: the `yaml` library bounds alias expansion, js-yaml does not. */
class AnchorFound extends Error {}

function refuseAnchors(event: string, state: { anchor?: string | null }): void {
  if (event === 'close' && state.anchor !== null && state.anchor !== undefined) throw new AnchorFound();
}

/**
 * The documents of `text` as the `yaml` library's core schema reads them, when js-yaml can be trusted to read them
 * the same way and they parse without error; otherwise undefined (the caller parses with the `yaml` library).
 */
export function loadAllFast(text: string): unknown[] | undefined {
  if (notForJsYaml(text)) return undefined;
  // without an `&` there is no anchor: no need to listen to every node
  const listener = text.includes('&') ? (refuseAnchors as JsYaml.LoadOptions['listener']) : undefined;
  const { lib, schema } = jsYamlCore();
  try {
    return lib.loadAll(text, undefined, { schema, listener });
  } catch {
    return undefined; // an anchor, a syntax error, a duplicate key: the `yaml` library reads it and reports errors
  }
}
