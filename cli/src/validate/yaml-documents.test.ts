import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { disagreements, documentPieces, SCAN_EDGE_CASES, scanTexts } from '@metrics-platform/cdk8s/lib/yaml/testing';
import { yamlFilesUnder } from './load-files';
import { cut, DocumentCache, parseFileDocuments } from './yaml-documents';

const REPO_ROOT = join(__dirname, '..', '..', '..');

/** What the `yaml` library alone makes of a text: the reference DocumentCache and loadAllFast must match. */
const reference = (text: string) => parseFileDocuments(text);
const withoutEmpty = (docs: ReturnType<typeof reference>) =>
  docs.filter((d) => d.errors !== undefined || (d.value !== null && d.value !== undefined));

describe('DocumentCache', () => {
  it('parses each distinct document once, whichever file repeats it, and shares its value', () => {
    const shared = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  a: "1"\n';
    const cache = new DocumentCache();
    const a = cache.parse(`---\n${shared}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n`);
    const b = cache.parse(`---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n---\n${shared}`);
    expect(cache.distinct).toBe(3);
    expect(a[0]!.value).toBe(b[1]!.value);
    expect(a[0]!.value).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared' },
      data: { a: '1' },
    });
  });

  it('shares the values of the pieces a file repeats from the last file of its name, and parses what changed', () => {
    const a = 'kind: A\nmetadata:\n  name: a\n';
    const b = (n: number) => `kind: B\nmetadata:\n  name: b${n}\n`;
    const cache = new DocumentCache();
    const dev = cache.parse(`---\n${a}---\n${b(1)}`, 'platform-api.yaml');
    const prod = cache.parse(`---\n${a}---\n${b(2)}`, 'platform-api.yaml');
    const other = cache.parse(`---\n${b(2)}---\n${a}`, 'other.yaml');
    expect(cache.distinct).toBe(3);
    expect(prod[0]!.value).toBe(dev[0]!.value);
    expect(prod[1]!.value).toEqual({ kind: 'B', metadata: { name: 'b2' } });
    expect(prod[1]!.value).not.toBe(dev[1]!.value);
    // another name, other positions: the same values, found by text
    expect(other[0]!.value).toBe(prod[1]!.value);
    expect(other[1]!.value).toBe(dev[0]!.value);
    // a piece that does not parse cleanly at a repeated position: the whole file is parsed, errors placed in it
    const broken = cache.parse(`---\n${a}---\nb: [1\n`, 'platform-api.yaml');
    expect(broken[0]!.value).toEqual({ kind: 'A', metadata: { name: 'a' } });
    expect(broken[1]!.errors?.[0]).toMatch(/at line 7, column 1/); // the end of the file
  });

  it.each([
    ['without a hint', (): undefined => undefined],
    ['under a name of its own', (n: number) => `file-${n}.yaml`],
    ['under a shared name', (): string => 'shared.yaml'],
  ])('keeps no file text alive through the documents it keeps, parsed %s', (_how, hint) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const shared = Array.from({ length: 2000 }, (_, i) => `key${i}: value-${i}\n`).join('');
    const cache = new DocumentCache();
    const kept: unknown[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    // 400 files of ~40 kB, each with one document of its own among the shared ones: 16 MB if the texts stay
    for (let n = 0; n < 400; n++) {
      const docs = cache.parse(`---\n${shared}---\nname: file-${n}-${'y'.repeat(20)}\n`, hint(n));
      kept.push(docs[1]!.value);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(kept).toHaveLength(400);
    expect(cache.distinct).toBe(401);
    expect(grown).toBeLessThan(6 * 1024 * 1024);
  });

  it.each([
    ['prose with what looks like a tag or a complex key', 'a: say !this\nb: what ? now\nc: x ! y\n'],
    ['a syntax error, with its line and column in the file', 'a: 1\n---\nb: [1, 2\n---\nc: 3\n'],
    ['a duplicate key', 'kind: A\n---\nkind: B\nkind: C\n'],
    ['a list document', 'kind: A\n---\n- 1\n- 2\n'],
    ['a scalar document', 'kind: A\n---\njust text\n'],
    ['a directive (applies to the document after it)', 'kind: A\n---\n%YAML 1.2\n---\nkind: B\n'],
    ['anchors and aliases', 'a: &x {b: 1}\nc: *x\n---\nd: 1\n'],
    ['explicit tags', 'a: !!str 12\nb: !!int "7"\n'],
    ['null and complex keys', '~: 1\nnull: 2\n? [a]\n: 3\n'],
    ['a document start with content', 'a: 1\n--- {b: 2}\n--- # comment\nc: 3\n...\n'],
    ['comments and empty documents', '# head\n---\n---\n# nothing\n---\na: 1\n'],
    ['CRLF line ends', 'a: 1\r\n---\r\nb: 2\r\n'],
  ])('reads %s exactly as one whole-file parse does', (_what, text) => {
    const cache = new DocumentCache();
    expect(withoutEmpty(cache.parse(text))).toEqual(withoutEmpty(reference(text)));
    // and again from the cache
    expect(withoutEmpty(cache.parse(text))).toEqual(withoutEmpty(reference(text)));
  });

  it('reports a syntax error with its position in the file, not in the document', () => {
    const docs = new DocumentCache().parse('a: 1\n---\nb: 2\n---\nc: [1, 2\n');
    const errors = docs.flatMap((d) => d.errors ?? []);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/at line 6, column 1/); // the end of the file, not of the third document
  });
});

describe('loadAllFast (js-yaml with the core schema of the yaml library)', () => {
  it('loads js-yaml only when a text needs it, not for what the subset reader reads', () => {
    let loaded = 0;
    jest.isolateModules(() => {
      jest.doMock('js-yaml', () => {
        loaded++;
        return jest.requireActual('js-yaml');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry
      const fresh = require('./yaml-documents') as { DocumentCache: typeof DocumentCache };
      expect(new fresh.DocumentCache().parse('a: 1\nb: true\n')).toEqual([{ value: { a: 1, b: true } }]);
      expect(loaded).toBe(0);
      expect(new fresh.DocumentCache().parse('a: {b: 1}\n')).toEqual([{ value: { a: { b: 1 } } }]);
      expect(loaded).toBe(1);
    });
  });
});

describe('the scans that replace regular expressions over whole files', () => {
  // hasDirective and notForJsYaml (cdk8s/src/yaml/js-yaml-core.ts) are tested beside their code

  it('cuts at the document start lines the regular expression finds', () => {
    expect(disagreements([...SCAN_EDGE_CASES, ...scanTexts(20000)], cut, documentPieces)).toEqual([]);
  });

  it("agrees with the regular expression on every YAML file of this repository's generated trees", () => {
    const files = ['dist', 'crossplane', 'argocd'].flatMap((d) => yamlFilesUnder(join(REPO_ROOT, d)));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file, pieces: cut(text) }).toEqual({ file, pieces: documentPieces(text) });
    }
  });
});
