import type { Tree } from './trees';

/**
 * A document's top-level `kind:`. Generated files are block-style YAML, so the top-level keys, and only they,
 * start at column 0 (nested keys are indented, block scalars too): a line scan counts them without parsing
 * every document again (which would cost as much as rendering them).
 */
const TOP_LEVEL_KIND = /^kind: *["']?([A-Za-z0-9]+)["']? *$/gm;

/** Objects per tree and kind: tree dir -> kind -> count. */
export function countObjects(trees: readonly Tree[]): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  for (const tree of trees) {
    const byKind = new Map<string, number>();
    for (const [name, text] of tree.files) {
      if (!/\.ya?ml$/.test(name)) continue;
      for (const match of text.matchAll(TOP_LEVEL_KIND)) byKind.set(match[1]!, (byKind.get(match[1]!) ?? 0) + 1);
    }
    counts.set(tree.dir, byKind);
  }
  return counts;
}

/** A plain-text table: one row per kind, one column per tree, and totals. */
export function formatTable(counts: Map<string, Map<string, number>>): string {
  const columns = [...counts.keys()];
  const kinds = [...new Set(columns.flatMap((c) => [...counts.get(c)!.keys()]))].sort();
  const rows: string[][] = [['KIND', ...columns]];
  for (const kind of kinds) rows.push([kind, ...columns.map((c) => String(counts.get(c)!.get(kind) ?? '-'))]);
  rows.push(['TOTAL', ...columns.map((c) => String([...counts.get(c)!.values()].reduce((a, b) => a + b, 0)))]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
    .join('\n');
}
