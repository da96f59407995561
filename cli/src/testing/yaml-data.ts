import { parseAllDocuments } from 'yaml';
import { loadAllFast } from '../validate/js-yaml-core';

/**
 * The documents of `text` as plain data, for tests that only read what a YAML text holds (the `yaml` library is not
 * what they test): read as the `yaml` library's core schema reads them, by js-yaml where it reads them the same way
 * (`loadAllFast`, a seventh of the time), else by the `yaml` library itself.
 */
export function yamlData(text: string): unknown[] {
  return loadAllFast(text) ?? parseAllDocuments(text).map((d) => d.toJS() as unknown);
}
