import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import { loadDocumentsFast, parseYamlDocument } from './parse';
import { mutated, REPO_ROOT } from './testing';

/** The warnings the `yaml` library emitted (process.emitWarning) while `outcome` ran. */
let warnings: string[] | undefined;
const emitWarning = process.emitWarning;
beforeAll(() => {
  process.emitWarning = ((w: string | Error) => {
    if (warnings === undefined) throw new Error(`a warning outside outcome(): ${String(w)}`);
    warnings.push(String(w));
  }) as typeof process.emitWarning;
});
afterAll(() => {
  process.emitWarning = emitWarning;
});

/** What reading `text` with `read` gives: its value or its error, and the warnings it emitted. */
function outcome(read: (text: string) => unknown, text: string): Record<string, unknown> {
  warnings = [];
  try {
    return { value: read(text), warnings };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}`, warnings };
  } finally {
    warnings = undefined;
  }
}

/** What parseEnvironment read before: the `yaml` library alone. */
const reference = (text: string): unknown => parse(text, { prettyErrors: true });

/** The keys of `value` and of every object in it, in order (JSON.stringify, which a cycle would break). */
function keyOrder(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || typeof value !== 'object') return '';
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  return `{${Object.keys(value)
    .map((k) => `${JSON.stringify(k)}${keyOrder((value as Record<string, unknown>)[k], seen)}`)
    .join(',')}}`;
}

/** Same values (-0, NaN and key order included), same error, same warnings. */
function same(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return isDeepStrictEqual(a, b) && keyOrder(a) === keyOrder(b);
}

interface Difference {
  readonly text: string;
  readonly fast: unknown;
  readonly reference: unknown;
}

/**
 * The texts on which parseYamlDocument and the `yaml` library's parse differ (none, or the first five), and how many
 * texts the `yaml` library refused.
 */
function compare(texts: Iterable<string>): { differ: Difference[]; errors: number } {
  const differ: Difference[] = [];
  let errors = 0;
  for (const text of texts) {
    const fast = outcome(parseYamlDocument, text);
    const expected = outcome(reference, text);
    if ('error' in expected) errors++;
    if (!same(fast, expected) && differ.length < 5) differ.push({ text, fast, reference: expected });
  }
  return { differ, errors };
}

/** Whether the fast readers read `text` (so parseYamlDocument does not call the `yaml` library). */
const readFast = (text: string): boolean => loadDocumentsFast(text)?.length === 1;

const envDir = join(REPO_ROOT, 'environments');
const envTexts = readdirSync(envDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => readFileSync(join(envDir, f), 'utf8'));
/** The same settings in the plain block style (as generated platforms write them): the block-subset reader's case. */
const blockEnvTexts = envTexts.map((t) => stringify(parse(t)));

/** Every plain scalar spelling of the YAML 1.2 core schema, and YAML 1.1 spellings that must stay strings. */
const SCALARS = [
  ...['~', 'null', 'Null', 'NULL', ''],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'tRUE', 'yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'NO'],
  ...['0', '-0', '+0', '12', '+12', '-12', '012', '0o17', '0o8', '0O17', '0x1F', '0xff', '0X1F', '0b101', '1_000'],
  ...['9007199254740993', '123456789012345678901234567890', '0x1FFFFFFFFFFFFF1'],
  ...['1.5', '-1.50', '1.', '.5', '-.5', '+.5', '1e3', '1E-3', '-1.2e+3', '1.2E3', '1e', 'e3', '.e3', '1.2.3'],
  ...['.inf', '.Inf', '.INF', '-.inf', '+.inf', '.iNf', 'inf', '.nan', '.NaN', '.NAN', '.nAn', 'nan', 'NaN'],
  ...['2024-01-01', '2024-01-01T00:00:00Z', '12:30:00', '1:20', '0.1.2', '=', '<<', '-', '--', '---x', '...x'],
  ...['"quoted"', "'single ''quoted'''", '"\\u00e9\\t\\x41\\U0001F600\\N\\_\\L\\P\\e\\0\\a\\v\\ \\/"', '""', "''"],
  ...['"1"', "'true'", '"null"', '"~"', '"a # b"', "'a: b'", '"\\\\"', '"\\"', '"\\q"', "'it's'"],
  ...['a # comment', 'a#b', 'a: b', 'http://x:80/p', 'a b  c', '@x', '`x', '%x', '!x', '!!str 1', '!!int "7"'],
];

/** Edge cases: whole texts. */
const TEXTS = [
  // no document, one empty document, several documents
  ...['', '\n', '   \n', '# only a comment\n', '# a\n# b', '---', '---\n', '--- # start\n', '---\n...\n', '...\n'],
  ...['---\n---\n', 'a: 1\n---\n', 'a: 1\n---\nb: 2\n', '---\na: 1\n---\nb: 2\n', 'a: 1\n...\n', 'a: 1\n...\n# c\n'],
  ...['a: 1\n...\n---\nb: 2\n', '--- a\n', '--- {a: 1}\n', '--- |\n  x\n', '# c\n---\na: 1\n', 'a: 1\n--- # x\n'],
  // directives
  ...['%YAML 1.2\n---\na: 1\n', '%YAML 1.1\n---\na: yes\nb: 0b11\nc: 1_000\n', '%TAG !e! tag:e.org,2000:\n---\na: 1\n'],
  ...['%FOO bar\n---\na: 1\n', '%YAML 1.2\na: 1\n', 'a: 1\n%YAML 1.2\n---\nb: 2\n'],
  // duplicate keys, also when spelled differently
  ...['a: 1\na: 2\n', 'a: 1\n"a": 2\n', '1: a\n01: b\n', '1: a\n"1": b\n', 'true: a\nTrue: b\n', '.nan: a\n.NaN: b\n'],
  ...[
    '-0: a\n0: b\n',
    '1e3: a\n1000: b\n',
    '0x10: a\n16: b\n',
    'a: {b: 1, b: 2}\n',
    '{a: 1, a: 1}\n',
    'a:\n  b: 1\n  b: 1\n',
  ],
  // keys that are not plain strings
  ...[
    '~: 1\n',
    'null: 1\n',
    ': 1\n',
    '? a\n: 1\n',
    '? [a]\n: 1\n',
    '[a]: 1\n',
    '{[a]: 1}\n',
    '{[a]:1}\n',
    '{a: 1}: 2\n',
  ],
  ...['x: {{a: 1}: 2}\n', 'a: {[b, c]: 1}\n', '- [a]: 1\n', '{[a]\n: 1}\n', '1: one\n', 'true: yes\n', '1.5: x\n'],
  ...['.inf: x\n', '0x1F: x\n', '"quoted key": 1\n', "'k''s': 1\n", '<<: {a: 1}\nb: 2\n', '__proto__: {a: 1}\n'],
  ...['{__proto__: 1}\n', 'constructor: 1\n', 'toString: x\n', 'a b: 1\n', 'a]: 1\n', 'a}: 1\n', '"a]": 1\n'],
  // anchors, aliases, merge keys, tags
  ...['a: &x 1\nb: *x\n', 'a: &x 1\n', 'a: &x {b: 1}\nc: *x\n', 'a: &x\n  b: 1\nc:\n  <<: *x\n  d: 2\n', 'a: *x\n'],
  ...['&a [*a]\n', 'a: !tag x\n', 'a: !!binary aGk=\n', 'a: !!str 12\nb: !!int "7"\n', '!!map {a: 1}\n', 'a: ! x\n'],
  ...['a: !!timestamp 2024-01-01\n', 'a: !!float 1\n', '!<tag:yaml.org,2002:str> x\n', 'a: say !this\nb: what ? now\n'],
  // flow style
  ...[
    'a: {b: 1, c: [2, 3]}\n',
    'a: [1, 2,]\n',
    'a: {b: 1,}\n',
    'a: [b: 1]\n',
    'a: {b}\n',
    'a: [? b : 1]\n',
    '[1, 2]\n',
  ],
  ...['{a: 1}\n', 'a: [1,\n  2]\n', 'a: {b: 1\n  , c: 2}\n', 'a: [1, 2\n', 'a: {b: 1\n', 'a: [[1], {b: [2]}]\n'],
  ...['a: {"b": 1, \'c\': 2}\n', 'a: {b:1}\n', 'a: {"b":1}\n', 'a: [a, b]]\n', 'a: {b: 1}}\n', '{}\n', '[]\n'],
  ...['a: { cpu: 50m, memory: 64Mi }\n', 'a: [refs/heads/main, "refs/heads/*"]\n', 'a: [1, , 2]\n'],
  // block scalars, multi-line scalars
  ...[
    'a: |\n  text\n',
    'a: |-\n  x\n\n',
    'a: |+\n  x\n\n\n',
    'a: >\n  folded\n  text\n\n  more\n',
    'a: >2-\n   x\n  y\n',
  ],
  ...['a: |\n  x\n b: 1\n', 'a: |\n', 'a: >\nb: 1\n', 'a: |1\n  x\n', '|\n  top\n', 'a: b\n  c\n\n  d\n'],
  ...['a: "x\n  y\n\n  z"\n', "a: 'x\n  y'\n", 'a: "open\n', 'a: b\nc\n', 'a: b\n  - c\n', 'a:\n  b\n  c\n'],
  // numbers, booleans, null in a list and as values of every spelling (below), quoted strings
  ...['- 1\n- true\n- ~\n- x\n', '- - a\n', '-\n- a\n', '- a: 1\n  b: 2\n', '-  a\n', '- a\n -b\n', '- a\nb: 1\n'],
  // tabs, CR, CRLF, BOM, unusual characters
  ...['a:\t1\n', 'a: 1\t\n', '\ta: 1\n', 'a:\n\tb: 1\n', 'a: [1,\t2]\n', 'a: 1\r\nb: 2\r\n', 'a: 1\rb: 2\r'],
  ...['a:\r\n  - 1\r\n', 'a: "x\r\n  y"\r\n', '\ufeffa: 1\n', 'a: 1\n\ufeff', '\ufeff---\na: 1\n', 'a: \ufeffx\n'],
  ...['a: \u0001\n', 'a: \u0085\n', 'a: x\u0085y\n', 'a: \u00a0x\n', 'a: \ud83d\ude00\n', 'a: \ud800\n', 'a: \ufffe\n'],
  ...['a: x\u2028y\n', 'a: \u2028\n', 'a:\u00a01\n', 'a: 1\u00a0\n', 'a: \u0000\n', 'a: "\\u00e9"\n', 'a: "\\ud800"\n'],
  // indentation and comments
  ...['a:\n  b: 1\n c: 2\n', 'a:\n    b: 1\n  c: 2\n', 'a: 1 # c\n', 'a: 1 #c\n', 'a: 1# c\n', 'a: # c\n  b: 1\n'],
  ...['a:\n  # c\n  b: 1\n', '  a: 1\n  b: 2\n', '  a: 1\nb: 2\n', 'a:\n- 1\n- 2\n', 'a:\n  - 1\n  -  2\n', 'a: 1 \n'],
  // what js-yaml reads where the yaml library does not (found by random texts)
  ...['a:\n  b: "x\n  y"\n', "- 'x\ny'\n", 'a:\n  b: [x,\n  y]\n', 'a: "x"#c\n', 'a: [x]#c\n', '\t---\n', '--- - a\n'],
  ...[
    'a\n...  1\n',
    '      - \n  - -1.5\n',
    '|\n#c\n',
    ' |\n#c: [}-b\n',
    'a: |1\n   x\n',
    'a: [:]\n',
    'a: {b: 1, : 2}\n',
  ],
  // top-level scalars and lists
  ...['plain\n', '"quoted"\n', '42\n', '~\n', 'true\n', '- a\n- b\n', "'x'\n", 'a\nb\n', 'a # c\n', '-\n'],
];

describe('parseYamlDocument', () => {
  it("reads every environment file (and its plain block style) as the yaml library's parse does", () => {
    expect(envTexts.length).toBeGreaterThanOrEqual(3);
    const texts = [...envTexts, ...blockEnvTexts];
    expect(compare(texts).differ).toEqual([]);
    // the point: none of them needs the yaml library
    expect(texts.filter((t) => !readFast(t))).toEqual([]);
    expect(blockEnvTexts.every((t) => !t.includes('{'))).toBe(true);
  });

  it('reads every scalar spelling as a value, a list item and a key as the yaml library does', () => {
    const texts = SCALARS.flatMap((scalar) => [
      `v: ${scalar}\n`,
      `v: [${scalar}]\n`,
      `v: {k: ${scalar}}\n`,
      `- ${scalar}\n`,
      `${scalar}\n`,
      `${scalar}: v\n`,
      `{${scalar}: v}\n`,
      `v: ${scalar}\r\n`,
    ]);
    // one test for all (each difference names its text): a test per text cost more than the comparisons
    expect(compare(texts).differ).toEqual([]);
  });

  it('reads every edge case as the yaml library does', () => {
    expect(compare(TEXTS).differ).toEqual([]);
  });

  it('reads the edge cases both ways: many by the fast readers, many left to the yaml library', () => {
    const fast = TEXTS.filter(readFast).length;
    expect(fast).toBeGreaterThan(80);
    expect(TEXTS.length - fast).toBeGreaterThan(50);
  });

  it('reads mutated environment files as the yaml library does: the same value, or the same error', () => {
    const texts = [...mutated([...envTexts, ...blockEnvTexts], 600, 13)];
    // every text the fast readers read; the others go to the yaml library's parse itself (compared on the first 100
    // below and on the edge cases above: most of this test's time is the yaml library reporting errors)
    const fast = texts.filter(readFast);
    expect(compare(fast).differ).toEqual([]);
    const some = compare(texts.slice(0, 100));
    expect(some.differ).toEqual([]);
    // both outcomes occur often enough for the comparison to mean something
    expect(fast.length).toBeGreaterThan(250);
    expect(some.errors).toBeGreaterThan(20);
  });
});
