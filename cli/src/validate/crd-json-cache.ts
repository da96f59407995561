import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic';
import { yamlLibrary } from './yaml-documents';

/**
 * Parses a CRD file, through a content-addressed cache of its JSON form. Parsing YAML is most of a validate run
 * (the Argo CD and Crossplane runtime CRDs are 0.4-1.4 MB); JSON.parse of the same data is ~20x faster. The key
 * is the sha256 of the YAML, so a changed file can never be served stale; the cache is best-effort (a read or
 * write failure falls back to parsing).
 */
export class CrdYamlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrdYamlError';
  }
}

export function parseCrdFile(file: string, text: string, cacheDir: string | undefined): unknown[] {
  const key = createHash('sha256').update(text).digest('hex');
  const cached = cacheDir === undefined ? undefined : join(cacheDir, `${key}.json`);
  if (cached !== undefined && existsSync(cached)) {
    try {
      const docs: unknown = JSON.parse(readFileSync(cached, 'utf8'));
      if (Array.isArray(docs)) return docs;
    } catch {
      // a damaged cache entry: parse again and overwrite it
    }
  }
  const docs: unknown[] = [];
  for (const doc of yamlLibrary().parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new CrdYamlError(`${file}: not valid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) docs.push(value);
  }
  if (cached !== undefined) {
    try {
      writeFileAtomic(cached, JSON.stringify(docs));
    } catch {
      // read-only home or full disk: validation still works, only slower
    }
  }
  return docs;
}
