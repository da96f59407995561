import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrdYamlError, parseCrdFile } from './crd-json-cache';

describe('parseCrdFile', () => {
  const text = 'kind: CustomResourceDefinition\nspec:\n  group: example.org\n---\n# empty\n';
  const key = createHash('sha256').update(text).digest('hex');

  it('parses YAML once and serves the JSON form, keyed by content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crd-json-'));
    expect(parseCrdFile('a.yaml', text, dir)).toEqual([
      { kind: 'CustomResourceDefinition', spec: { group: 'example.org' } },
    ]);
    expect(readdirSync(dir)).toEqual([`${key}.json`]);
    // the cache entry is what is read next time
    writeFileSync(join(dir, `${key}.json`), JSON.stringify([{ kind: 'FromCache' }]));
    expect(parseCrdFile('a.yaml', text, dir)).toEqual([{ kind: 'FromCache' }]);
    // a different content has a different key
    expect(parseCrdFile('a.yaml', text.replace('example', 'other'), dir)).toEqual([
      { kind: 'CustomResourceDefinition', spec: { group: 'other.org' } },
    ]);
  });

  it('recovers from a damaged entry and works without a cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crd-json-'));
    writeFileSync(join(dir, `${key}.json`), '{not json');
    expect(parseCrdFile('a.yaml', text, dir)).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8'))).toHaveLength(1);
    expect(parseCrdFile('a.yaml', text, undefined)).toHaveLength(1);
  });

  it('names the file on invalid YAML', () => {
    expect(() => parseCrdFile('bad.yaml', 'a: [b\n', undefined)).toThrow(CrdYamlError);
    expect(() => parseCrdFile('bad.yaml', 'a: [b\n', undefined)).toThrow(/^bad\.yaml: not valid YAML: /);
  });
});
