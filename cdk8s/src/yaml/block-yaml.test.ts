import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { loadBlockSubset } from './block-yaml';
import { loadAllFast } from './js-yaml-core';
import { documentPieces, mutated, repositoryYamlFiles } from './testing';

/** What the `yaml` library makes of a text (as `platform validate` reads it), or undefined when it complains. */
function reference(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  if (docs.some((d) => d.errors.length > 0 || d.warnings.length > 0)) return undefined;
  return docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown);
}

/** Same values, same key order. */
const same = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b) && JSON.stringify(a) === JSON.stringify(b);

const pieces = [
  ...new Set(
    ['dist', 'crossplane', 'argocd', 'cli/src/validate/testdata']
      .flatMap(repositoryYamlFiles)
      .flatMap((f) => documentPieces(readFileSync(f, 'utf8'))),
  ),
];

describe('loadBlockSubset', () => {
  it.each([
    ['', []],
    ['# only a comment\n', []],
    ['---\n', [null]],
    ['--- # start\na: 1\n', [{ a: 1 }]],
    ['a:\n  b: x\n  c: [] \n'.replace(' \n', '\n'), [{ a: { b: 'x', c: [] } }]],
    ['a:\n- 1\n- two\nb: {}\n', [{ a: [1, 'two'], b: {} }]],
    [
      '- a: 1\n  b:\n    - c: true\n      d: null\n-\n  e: ~\n- -1\n',
      [[{ a: 1, b: [{ c: true, d: null }] }, { e: null }, -1]],
    ],
    [
      'a: "x: \\"y\\" \\\\ \\u00e9\\n"\nb: \'it\'\'s # not a comment\'\n',
      [{ a: 'x: "y" \\ é\n', b: "it's # not a comment" }],
    ],
    ['a: 0x1F\nb: 1e3\nc: .inf\nd: 012\ne: 1_000\nf: yes\ng: 2024-01-01\nh: a#b\ni: http://x:80/p\n', undefined],
    ['"quoted key": 1\nk-e.y/x: 2\n', [{ 'quoted key': 1, 'k-e.y/x': 2 }]],
    // a no-break space is not YAML white space: it starts the value
    ['a: \u00a0x\nb:  \u00a0y\n', [{ a: '\u00a0x', b: '\u00a0y' }]],
    ['a: \ud83d\ude00 \u00e9\u2028\n', [{ a: '\ud83d\ude00 \u00e9\u2028' }]],
    ["- 'it''s'\n- \"\\u00e9\"\n- ''\n", [["it's", '\u00e9', '']]],
  ])('reads %j as the yaml library does', (text, expected) => {
    const got = loadBlockSubset(text);
    expect(got).toEqual(expected ?? reference(text));
    expect(same(got, reference(text))).toBe(true);
  });

  it.each([
    'a: 1\na: 2\n', // duplicate key
    'a: b\n  c\n', // multi-line plain scalar
    'a: 1 # comment\n',
    'a: "open\n  close"\n',
    'a: |\n  text\n',
    'a: &x 1\nb: *x\n',
    'a: !tag x\n',
    'a: {b: 1}\n',
    '1: one\n',
    'true: yes\n',
    'a:\tb\n',
    'a: 1\r\n',
    'a: "\\x41"\n',
    'a: 1\n---\nb: 2\n',
    'a: 1\n...\n',
    'plain\n',
    '- - a\n',
    'a:\n  - 1\n b: 2\n',
    'a: 1 \n',
    '__proto__: {}\n',
    '<<: {}\n',
    'a: \u0001\n',
    'a: \u0085\n',
    'a: \u0090\n',
    'a: \ud800\n',
    'a: \udc00\n',
    'a: \ufffe\n',
    '\ufeffa: 1\n',
    // a quote or key is read on its own line only
    'a: "x\nb: y"\n',
    "a: 'x\nb: y'\n",
    "a: 'x'\n'b: c\n",
    'a\nb: c\n',
    '"k\n": v\n',
    'a: "\\u00e\n"\n',
  ])('leaves %j to the parsers', (text) => {
    expect(loadBlockSubset(text)).toBeUndefined();
  });

  it("reads the repository's rendered, Crossplane and Argo CD YAML as the yaml library and js-yaml do", () => {
    expect(pieces.length).toBeGreaterThan(50);
    const differ: string[] = [];
    let read = 0;
    for (const piece of pieces) {
      const got = loadBlockSubset(piece);
      if (got === undefined) continue;
      read++;
      // js-yaml reads a text of comments as one empty document, the yaml library as none: both are skipped
      const fast = loadAllFast(piece)?.filter((v) => v !== null);
      if (
        !same(got, reference(piece)) ||
        !same(
          got.filter((v) => v !== null),
          fast,
        )
      )
        differ.push(piece.slice(0, 200));
    }
    expect(differ).toEqual([]);
    // the subset is the common case, or this saves nothing
    expect(read / pieces.length).toBeGreaterThan(0.9);
  });

  it('reads a mutated document only as the yaml library does (or not at all)', () => {
    const sources = pieces.map((p) => p.split('\n').slice(0, 40).join('\n')).filter((p) => p.length > 0);
    const differ: { text: string; got: unknown; expected: unknown }[] = [];
    let read = 0;
    for (const text of mutated(sources, 3000, 7)) {
      const got = loadBlockSubset(text);
      if (got === undefined) continue;
      read++;
      const expected = reference(text);
      if (!same(got, expected) && differ.length < 5) differ.push({ text, got, expected });
    }
    expect(differ).toEqual([]);
    // enough mutated texts are read for the comparison to mean something
    expect(read).toBeGreaterThan(500);
  });
});
