import { stringify } from 'yaml';

/** The options every generated YAML file is written with: block style, no line folding (stable diffs). */
export const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/**
 * Strings the `yaml` library writes as plain scalars, found without asking it: a letter, then letters, digits and
 * `_ . / - : @` (a `:` never last). No space, `#`, quote, flow or block indicator can occur, and no such string
 * reads back as a null, boolean or number.
 */
const PLAIN_STRING = /^[A-Za-z][A-Za-z0-9_./@:-]*$/;
const CORE_KEYWORDS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

class NotSimple extends Error {}

function scalar(value: string | number | boolean | null): string {
  if (typeof value === 'string') {
    if (PLAIN_STRING.test(value) && !value.endsWith(':') && !CORE_KEYWORDS.has(value)) return value;
  } else if (typeof value === 'boolean') {
    return String(value);
  } else if (value === null) {
    return 'null';
  } else if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
    return String(value);
  }
  // Everything else (quoting, floats, multi-line text) is the library's call, and must fit on one line. The same
  // few values (descriptions, quoted versions) recur in every environment: ask the library once per value.
  const cache = typeof value === 'string' ? libraryStrings : libraryNumbers;
  let line = cache.get(value as never);
  if (line === undefined) {
    const text = stringify(value, YAML_OPTIONS);
    line = text.slice(0, -1);
    if (line.includes('\n') || text[text.length - 1] !== '\n') line = NOT_SIMPLE;
    if (cache.size >= SCALAR_CACHE_LIMIT) cache.clear();
    cache.set(value as never, line);
  }
  if (line === NOT_SIMPLE) throw new NotSimple();
  return line;
}

/** The library's one-line YAML of a string or number scalar, or NOT_SIMPLE when it takes more than one line. */
const libraryStrings = new Map<string, string>();
const libraryNumbers = new Map<number, string>();
const SCALAR_CACHE_LIMIT = 50_000;
/** Never a one-line YAML scalar: a newline ends every line the cache holds. */
const NOT_SIMPLE = '\n';

function isEmptyCollection(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}

function emitCollection(value: object, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object' && !isEmptyCollection(item)) {
        // "- " then the first line of the nested block on the same line, the rest indented by two.
        const nested: string[] = [];
        emitCollection(item, '', nested);
        out.push(`${indent}- ${nested[0]}`);
        for (let i = 1; i < nested.length; i++) out.push(`${indent}  ${nested[i]}`);
      } else {
        out.push(`${indent}- ${leaf(item)}`);
      }
    }
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const k = scalar(key);
    if (item !== null && typeof item === 'object' && !isEmptyCollection(item)) {
      out.push(`${indent}${k}:`);
      emitCollection(item, Array.isArray(item) ? `${indent}  ` : `${indent}  `, out);
    } else {
      out.push(`${indent}${k}: ${leaf(item)}`);
    }
  }
}

function leaf(value: unknown): string {
  if (Array.isArray(value)) return '[]';
  if (value !== null && typeof value === 'object') return '{}';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return scalar(value);
  }
  throw new NotSimple();
}

/**
 * The block-style YAML of one JSON-like manifest, byte-identical to `stringify(manifest, YAML_OPTIONS)` (a test
 * holds every rendered object to that) and several times faster, since most of a render is YAML serialization.
 * Anything it does not handle itself (multi-line strings, non-JSON values) goes to the library whole.
 */
export function manifestToYaml(manifest: unknown): string {
  if (manifest === null || typeof manifest !== 'object' || isEmptyCollection(manifest)) {
    return stringify(manifest, YAML_OPTIONS);
  }
  try {
    const out: string[] = [];
    emitCollection(manifest, '', out);
    return out.join('\n') + '\n';
  } catch (err) {
    if (err instanceof NotSimple) return stringify(manifest, YAML_OPTIONS);
    throw err;
  }
}

/** YAML of deep-frozen manifests, by identity: one that is rendered again needs no JSON key. */
const frozenYaml = new WeakMap<object, string>();
const deepFrozen = new WeakSet<object>();

/**
 * Declares `manifest` deep-frozen (every nested object and array frozen too): cachedManifestToYaml then keys its
 * YAML by identity. Throws if the top level is not frozen; the caller answers for the rest.
 */
export function markDeepFrozen(manifest: object): void {
  if (!Object.isFrozen(manifest)) throw new Error('markDeepFrozen: the manifest is not frozen');
  deepFrozen.add(manifest);
}

/**
 * `manifestToYaml(manifest)`, computed once per deep-frozen manifest (the platform API objects every environment
 * and crossplane/ share, see `markDeepFrozen`); any other manifest is serialized as it comes. (A cache keyed by
 * JSON for the rest found no repeats once the shared objects were frozen, at 3 or 300 environments, and cost a
 * JSON.stringify of every object.)
 */
export function cachedManifestToYaml(manifest: unknown): string {
  if (manifest === null || typeof manifest !== 'object' || !deepFrozen.has(manifest)) return manifestToYaml(manifest);
  let text = frozenYaml.get(manifest);
  if (text === undefined) frozenYaml.set(manifest, (text = manifestToYaml(manifest)));
  return text;
}
