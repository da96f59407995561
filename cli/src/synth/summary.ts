import { parseAllDocuments } from 'yaml';
import type { Tree } from './trees';

/** Objects per tree and kind: tree dir -> kind -> count. */
export function countObjects(trees: readonly Tree[]): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  for (const tree of trees) {
    const byKind = new Map<string, number>();
    for (const [name, text] of tree.files) {
      if (!/\.ya?ml$/.test(name)) continue;
      for (const doc of parseAllDocuments(text)) {
        const obj = doc.toJS() as { kind?: unknown } | null;
        if (obj === null || typeof obj !== 'object' || typeof obj.kind !== 'string') continue;
        byKind.set(obj.kind, (byKind.get(obj.kind) ?? 0) + 1);
      }
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
