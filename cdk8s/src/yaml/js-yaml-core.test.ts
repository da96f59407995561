import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import {
  hasDirective,
  loadAllFast,
  mayBreakLinesDifferently,
  mayHaveCollectionOrEmptyKey,
  NOT_FOR_JS_YAML_REFERENCE,
  notForJsYaml,
} from './js-yaml-core';
import { disagreements, documentPieces, repositoryYamlFiles, SCAN_EDGE_CASES, scanTexts } from './testing';

describe('loadAllFast (js-yaml with the core schema of the yaml library)', () => {
  it.each([
    '~',
    'null',
    'Null',
    'NULL',
    '',
    'true',
    'True',
    'TRUE',
    'false',
    'yes',
    'no',
    'on',
    'off',
    'y',
    '0o17',
    '017',
    '0x1F',
    '0X1F',
    '+12',
    '-0',
    '0b101',
    '1_000',
    '1e3',
    '1E-3',
    '.5',
    '1.',
    '-1.50',
    '.inf',
    '-.Inf',
    '+.INF',
    '.nan',
    '.NaN',
    '2024-01-01',
    '2024-01-01T00:00:00Z',
    '12:30:00',
    '0.1.2',
    '"quoted"',
    "'single ''quoted'''",
    '"\\u00e9\\t"',
    '>-\n  folded\n  text\n',
    '|\n  literal\n   indented\n',
    '9007199254740993',
  ])('resolves %j as the yaml library does', (scalar) => {
    const text = `v: ${scalar}\nlist: [${scalar.includes('\n') ? 'x' : scalar}]\n`;
    expect(loadAllFast(text)).toEqual(parseAllDocuments(text).map((d) => d.toJS()));
  });

  it('leaves to the yaml library what the two could read differently', () => {
    for (const text of ['a: &x 1\nb: *x\n', 'a: &x 1\n', 'a: !!binary aGk=\n', '~: 1\n', '? a\n: 1\n', 'a:\n  - : 1\n'])
      expect(loadAllFast(text)).toBeUndefined();
  });

  it('leaves to the yaml library texts with directives: %YAML 1.1 changes how it resolves scalars', () => {
    for (const text of ['%YAML 1.1\n---\na: yes\n', '%YAML 1.2\n---\na: 1\n', 'a: 1\n%TAG ! x\n---\nb: 2\n'])
      expect(loadAllFast(text)).toBeUndefined();
  });

  it('leaves to the yaml library flow collections as keys, which the two name differently', () => {
    for (const text of ['[a]: 1\n', '{[a]: 1}\n', '{[a]:1}\n', 'x: {{a: 1}: 2}\n', 'a: {[b, c]: 1}\n', '- [a] : 1\n'])
      expect(loadAllFast(text)).toBeUndefined();
    // a closing bracket before a colon anywhere counts, even where it is not a key
    expect(loadAllFast('a: "[b]: c"\n')).toBeUndefined();
    expect(loadAllFast('a: [b]\nc: {d: 1}\n')).toEqual([{ a: ['b'], c: { d: 1 } }]);
  });

  it('leaves to the yaml library texts whose lines or documents the two could find differently', () => {
    // a lone CR breaks a line for js-yaml only; js-yaml reads `---x` at a document start as `---` and `x`
    for (const text of ['a: 1\rb: 2\r', 'a: 1\r', '---x\n', 'a\n...\n---x\n', '\ufeff---x\n', 'a: |\n  x\n---y\n'])
      expect(loadAllFast(text)).toBeUndefined();
    expect(loadAllFast('a: 1\r\n--- \r\nb: ---x\r\n---\t# c\nc: 2\n')).toEqual([{ a: 1 }, { b: '---x' }, { c: 2 }]);
  });

  it('leaves to the yaml library what js-yaml reads where the yaml library does not (found by random texts)', () => {
    for (const text of [
      'a:\n  b: "x\n  y"\n', // continuation lines not indented more than the mapping
      "- 'x\ny'\n",
      'a:\n  b: [x,\n  y]\n',
      'a: "x"#c\n', // a comment not separated by white space
      'a: [x]#c\n',
      '\t---\n', // a tab as indentation
      '--- - a\n', // a block collection on the document start line
      'a\n...  1\n',
      '      - \n  - -1.5\n', // a document's node not starting its line
      '|\n#c\n', // block scalars as a document's node or with an indentation indicator
      'a: |1\n   x\n',
      'a: [:]\n', // an empty key in a flow collection
      'a: {b: 1, : 2}\n',
    ])
      expect({ text, fast: loadAllFast(text) }).toEqual({ text, fast: undefined });
    // what they still read
    expect(loadAllFast('a:\n  b: "x"\n  c: [y, z] # c\n  d: |\n    e\n--- # c\nf: 1\n...\n')).toEqual([
      { a: { b: 'x', c: ['y', 'z'], d: 'e\n' } },
      { f: 1 },
    ]);
  });

  it('fails (and so leaves the message to the yaml library) on syntax errors and duplicate keys', () => {
    expect(loadAllFast('a: [1\n')).toBeUndefined();
    expect(loadAllFast('a: 1\na: 2\n')).toBeUndefined();
  });

  it("reads every YAML file of this repository's generated trees as the yaml library does", () => {
    const files = ['dist', 'crossplane', 'argocd'].flatMap((d) => repositoryYamlFiles(d));
    expect(files.length).toBeGreaterThan(20);
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const expected = parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: 100 }) as unknown);
      const got = loadAllFast(text);
      if (got === undefined) continue;
      fast++;
      expect({ file, docs: got.filter((v) => v !== null) }).toEqual({
        file,
        docs: expected.filter((v) => v !== null),
      });
    }
    // the fast path is the common one, or this saves nothing
    expect(fast / files.length).toBeGreaterThan(0.9);
  });
});

/** What mayBreakLinesDifferently finds, by a regular expression. */
const LINES_REFERENCE = /\r(?!\n)|(?:^\ufeff?|\n)(?:---[^ \t\r\n]|(?:---|\.\.\.)[ \t]+[^ \t\r\n#])|(?:^|\n)[ \t]*\t/;

describe('the scans that replace regular expressions over whole files', () => {
  it('finds a directive line exactly where /^%/m does', () => {
    expect(disagreements([...SCAN_EDGE_CASES, ...scanTexts(20000)], hasDirective, (t) => /^%/m.test(t))).toEqual([]);
  });

  it('finds what only the yaml library may read exactly where NOT_FOR_JS_YAML does', () => {
    const texts = [...SCAN_EDGE_CASES, ...scanTexts(20000)];
    expect(disagreements(texts, notForJsYaml, (t) => NOT_FOR_JS_YAML_REFERENCE.test(t))).toEqual([]);
    // both answers occur often enough for the comparison to mean something
    const matched = texts.filter((t) => NOT_FOR_JS_YAML_REFERENCE.test(t)).length;
    expect(matched).toBeGreaterThan(1000);
    expect(matched).toBeLessThan(19000);
  });

  it('finds a possible collection key exactly where /[\\]}]\\s*:|[[{,][ \\t]*:/ does', () => {
    const texts = [...SCAN_EDGE_CASES, ...scanTexts(20000), '[a]: 1', '{a}\t\n :', 'a]\u2028:', 'a] \u00a0:', 'a]x:'];
    const reference = (t: string) => /[\]}]\s*:|[[{,][ \t]*:/.test(t);
    expect(disagreements(texts, mayHaveCollectionOrEmptyKey, reference)).toEqual([]);
    const matched = texts.filter(reference).length;
    expect(matched).toBeGreaterThan(100);
    expect(matched).toBeLessThan(19000);
  });

  it('finds lines js-yaml could break differently exactly where its reference regular expression does', () => {
    const extra = ['\ufeff---x', 'a\n\ufeff---x', '---', '---\t', 'a\r', 'a\r\n', '\r\r\n', 'a\u2028---x', '----'];
    const texts = [...SCAN_EDGE_CASES, ...scanTexts(20000), ...extra];
    const reference = (t: string) => LINES_REFERENCE.test(t);
    expect(disagreements(texts, mayBreakLinesDifferently, reference)).toEqual([]);
    const matched = texts.filter(reference).length;
    expect(matched).toBeGreaterThan(500);
    expect(matched).toBeLessThan(19000);
  });

  it("agrees with the regular expressions on every YAML file of this repository's generated trees", () => {
    const files = ['dist', 'crossplane', 'argocd'].flatMap(repositoryYamlFiles);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file, directive: hasDirective(text) }).toEqual({ file, directive: /^%/m.test(text) });
      for (const piece of documentPieces(text))
        expect({ file, fast: notForJsYaml(piece) }).toEqual({ file, fast: NOT_FOR_JS_YAML_REFERENCE.test(piece) });
      expect({ file, key: mayHaveCollectionOrEmptyKey(text) }).toEqual({
        file,
        key: /[\]}]\s*:|[[{,][ \t]*:/.test(text),
      });
      expect({ file, lines: mayBreakLinesDifferently(text) }).toEqual({
        file,
        lines: LINES_REFERENCE.test(text),
      });
    }
  });
});
