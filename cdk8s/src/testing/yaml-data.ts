import { parseAllDocuments } from 'yaml';
import { loadDocumentsFast } from '../yaml/parse';

/**
 * The documents of `text` as plain data, for tests that only read what a YAML text holds (the `yaml` library is not
 * what they test): read as the `yaml` library's core schema reads them, by the fast readers where they read them the
 * same way (`loadDocumentsFast`, a fraction of the time), else by the `yaml` library itself.
 */
export function yamlData(text: string): unknown[] {
  return loadDocumentsFast(text) ?? parseAllDocuments(text).map((d) => d.toJS() as unknown);
}
