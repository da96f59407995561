import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the tests of the fast YAML readers share (here and in the cli's validator): the repository's YAML as test
 * corpus, and texts from a fixed seed. Not used by any command.
 */

/** The repository root (this file is at cdk8s/src/yaml or, built, cdk8s/lib/yaml). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** The `.yaml`/`.yml` files under `dir` of the repository, sorted, skipping dot directories and node_modules. */
export function repositoryYamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (/\.ya?ml$/.test(entry.name)) out.push(child);
    }
  };
  walk(join(REPO_ROOT, dir));
  return out;
}

/**
 * The pieces of `text`, each from a document start line (`---`, maybe a comment, alone on its line) to the next:
 * the reference by regular expression that the validator's `cut` is tested against.
 */
export function documentPieces(text: string): string[] {
  const pieces: string[] = [];
  let from = 0;
  for (const m of text.matchAll(/^---[ \t]*(?:#[^\n]*)?\r?$/gm)) {
    if (m.index > from) pieces.push(text.slice(from, m.index));
    from = m.index;
  }
  if (from < text.length) pieces.push(text.slice(from));
  return pieces;
}

/** A pseudo-random number generator from a fixed seed: `next(n)` is in [0, n). The same numbers every run. */
export function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

/** What `mutated` inserts into a text. */
const INSERTS = [...' :-#"\'\n{}[]&*!|>\\x0~?,.', '  ', ': ', '- ', '\n  ', '\n- '];

/**
 * `count` texts, each one of `sources` (picked from a fixed seed) with 1 to 3 random edits: a YAML indicator or
 * white space inserted, 1 to 3 characters deleted, a line repeated, or a line indented or dedented. The same texts
 * every run for the same seed and sources.
 */
export function* mutated(sources: readonly string[], count: number, seed: number): Generator<string> {
  const next = seeded(seed);
  for (let i = 0; i < count; i++) {
    let text = sources[next(sources.length)] as string;
    for (let m = 0, n = 1 + next(3); m < n; m++) {
      const at = next(text.length + 1);
      const kind = next(4);
      if (kind === 0) text = text.slice(0, at) + (INSERTS[next(INSERTS.length)] as string) + text.slice(at);
      else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1 + next(3));
      else {
        const lines = text.split('\n');
        const l = next(lines.length);
        if (kind === 2) lines.splice(l, 0, lines[l] as string);
        else lines[l] = next(2) === 0 ? ` ${lines[l] as string}` : (lines[l] as string).replace(/^ {1,2}/, '');
        text = lines.join('\n');
      }
    }
    yield text;
  }
}

/**
 * Short texts made of the characters the whole-file scans (`cut`, hasDirective, notForJsYaml) look at, from a fixed
 * seed (the same texts every run).
 */
export function* scanTexts(count: number): Generator<string> {
  const alphabet = [...' \t\n\r:!?~,[{}ablnuLNU-#%\u00a0\u2028\u2029', 'null', 'Null', 'NULL', '---', '\n---\n'];
  const next = seeded(42);
  for (let i = 0; i < count; i++) {
    let text = '';
    const length = next(24);
    for (let j = 0; j < length; j++) text += alphabet[next(alphabet.length)] as string;
    yield text;
  }
}

/** Edge cases of those scans. */
export const SCAN_EDGE_CASES: readonly string[] = [
  '',
  '---',
  '---\n',
  'a: 1\n---\nb: 2\n',
  '---  # c\r\na: 1\r\n--- \n',
  'a: ----\n----\n---x\n --- \n---\n',
  'a: 1\r---\rb: 2',
  'x\u2028---\u2028y',
  '%YAML 1.2\n---\n',
  'a: 1\n%x',
  'a: 1\r%x',
  'a\u2029%',
  '!tag x',
  'a: !x',
  'a: b!c',
  'a: !',
  '? a',
  'a?',
  'a: ? ',
  ': x',
  'a:\n  - : 1',
  '~: 1',
  'a ~: 1',
  'xnull: 1',
  '{null: 1}',
  '[Null:',
  'NULL:',
  'a\u00a0: 1',
  'a\u00a0!b',
  'key: value',
  'url: http://x',
];

/** The texts on which `fast` and `reference` disagree (none, or the first ten). */
export function disagreements<T>(
  texts: Iterable<string>,
  fast: (t: string) => T,
  reference: (t: string) => T,
): { text: string; fast: T; reference: T }[] {
  const out: { text: string; fast: T; reference: T }[] = [];
  for (const text of texts) {
    const f = fast(text);
    const r = reference(text);
    if (JSON.stringify(f) !== JSON.stringify(r) && out.length < 10) out.push({ text, fast: f, reference: r });
  }
  return out;
}
