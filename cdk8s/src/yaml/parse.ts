import type * as Yaml from 'yaml';
import { loadBlockSubset } from './block-yaml';
import { loadAllFast } from './js-yaml-core';

/**
 * The documents of `text` as the `yaml` library reads them (YAML 1.2 core schema, unique keys), by the fast readers:
 * the block-subset reader (block-yaml.ts), else js-yaml with the core schema (js-yaml-core.ts). Undefined when
 * neither can be trusted to read the text as the `yaml` library does, or the text has an error or a warning: the
 * caller then parses it with the `yaml` library, which reports the problems with their positions.
 */
export function loadDocumentsFast(text: string): unknown[] | undefined {
  return loadBlockSubset(text) ?? loadAllFast(text);
}

const PARSE_OPTIONS = { prettyErrors: true } as const;

/**
 * `parse(text, { prettyErrors: true })` of the `yaml` library, with the same value and the same errors: the fast
 * readers' value when they read exactly one document, else the `yaml` library's `parse` itself (no document or
 * several, anything outside what the fast readers trust, any error or warning, which it reports or throws).
 */
export function parseYamlDocument(text: string): unknown {
  const docs = loadDocumentsFast(text);
  if (docs !== undefined && docs.length === 1) return docs[0];
  // loaded here, not with this module: most texts never need it, and `platform validate` loads it only for those
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy CJS load
  return (require('yaml') as typeof Yaml).parse(text, PARSE_OPTIONS);
}
