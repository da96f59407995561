import { isScalar, parse, parseDocument, type Scalar } from 'yaml';
import type { ImagePin } from '@metrics-platform/cdk8s/lib/config';
import { CliError } from '../util/errors';

/** The part of `app.image` that `bump` and `promote` change; the repository stays per environment. */
export interface PinTarget {
  readonly tag: string;
  readonly digest: string;
}

/** The reference the rendered workloads run: `<repository>:<tag>@<digest>`. */
export function imageReference(pin: ImagePin): string {
  return `${pin.repository}:${pin.tag}@${pin.digest}`;
}

export function samePin(a: PinTarget, b: PinTarget): boolean {
  return a.tag === b.tag && a.digest === b.digest;
}

/** A scalar's new source text in the old one's quoting style (plain only where it stays a string). */
function scalarSource(old: Scalar, value: string): string {
  if (old.type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (old.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return parse(value) === value ? value : JSON.stringify(value);
}

/**
 * Sets `app.image.tag` and `app.image.digest` in an environment file, changing only those two values: the
 * document is parsed with the yaml Document API and the new scalars are spliced in at the old scalars' source
 * ranges, so comments, key order, flow maps and every other byte stay as they were.
 */
export function setPinInYaml(file: string, text: string, pin: PinTarget): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new CliError(`${file}: not valid YAML: ${doc.errors[0]!.message}`);
  const edits: Array<{ start: number; end: number; source: string }> = [];
  for (const field of ['tag', 'digest'] as const) {
    const node = doc.getIn(['app', 'image', field], true);
    if (!isScalar(node) || node.range === undefined || node.range === null) {
      throw new CliError(`${file}: app.image.${field}: missing; expected a scalar to rewrite`);
    }
    edits.push({ start: node.range[0], end: node.range[1], source: scalarSource(node, pin[field]) });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.source + out.slice(e.end);
  const check = parse(out) as { app?: { image?: { tag?: unknown; digest?: unknown } } };
  if (check.app?.image?.tag !== pin.tag || check.app?.image?.digest !== pin.digest) {
    throw new CliError(`${file}: rewriting app.image did not round-trip; refusing to write it`);
  }
  return out;
}

/** Every image reference to `repository` in rendered files (file -> references), to check what an env runs. */
export function imageReferencesIn(files: ReadonlyMap<string, string>, repository: string): Map<string, string[]> {
  const escaped = repository.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`${escaped}(?:[:@][^\\s"',]+)?`, 'g');
  const found = new Map<string, string[]>();
  for (const [file, text] of files) {
    const refs = text.match(pattern);
    if (refs !== null) found.set(file, refs);
  }
  return found;
}
