import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { yamlFilesUnder } from './load-files';

describe('yamlFilesUnder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'yaml-files-'));
    for (const d of ['sub', 'sub/deeper', '.hidden', 'node_modules', 'B']) mkdirSync(join(dir, d));
    for (const f of ['b.yaml', 'a.yml', 'Kustomization', 'notes.txt', 'sub/c.yaml', 'sub/deeper/d.yaml']) {
      writeFileSync(join(dir, f), 'a: 1\n');
    }
    for (const f of ['.hidden/x.yaml', 'node_modules/y.yaml', 'B/z.yaml']) writeFileSync(join(dir, f), 'a: 1\n');
    symlinkSync(join(dir, 'sub'), join(dir, 'linked'));
    symlinkSync(join(dir, 'sub', 'c.yaml'), join(dir, 'c-link.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists YAML files and Kustomization files, sorted by name, following linked directories, skipping dot-directories and node_modules', () => {
    expect(yamlFilesUnder(dir).map((f) => f.slice(dir.length + 1))).toEqual([
      'B/z.yaml',
      'Kustomization',
      'a.yml',
      'b.yaml',
      'c-link.yaml',
      'linked/c.yaml',
      'linked/deeper/d.yaml',
      'sub/c.yaml',
      'sub/deeper/d.yaml',
    ]);
  });

  it('gives a file as itself', () => {
    expect(yamlFilesUnder(join(dir, 'notes.txt'))).toEqual([join(dir, 'notes.txt')]);
  });
});
