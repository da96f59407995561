/**
 * Crossplane field paths, as patch-and-transform reads and writes them: `spec.forProvider.region`,
 * `spec.allowedRefs[0]`, `metadata.annotations[crossplane.io/external-name]` (a bracketed map key).
 */

export type Segment = { readonly field: string } | { readonly index: number };

export class FieldPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldPathError';
  }
}

/** Parses a field path into segments; throws on malformed paths. */
export function parseFieldPath(path: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  const fail = (why: string) => new FieldPathError(`field path ${JSON.stringify(path)}: ${why} at character ${i}`);
  if (path === '') throw fail('empty path');
  while (i < path.length) {
    if (path[i] === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) throw fail('unclosed "["');
      const key = path.slice(i + 1, end);
      if (key === '') throw fail('empty "[]"');
      out.push(/^[0-9]+$/.test(key) ? { index: Number(key) } : { field: key });
      i = end + 1;
      if (path[i] === '.') i++;
      continue;
    }
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
    if (j === i) throw fail('empty field name');
    out.push({ field: path.slice(i, j) });
    i = j;
    if (path[i] === '.') {
      i++;
      if (i === path.length) throw fail('trailing "."');
    }
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at `path`, or `undefined` when any part of it is missing (patch-and-transform: "not found"). */
export function getValue(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of parseFieldPath(path)) {
    if ('index' in seg) {
      if (!Array.isArray(cur) || seg.index >= cur.length) return undefined;
      cur = cur[seg.index];
    } else {
      if (!isObject(cur)) return undefined;
      cur = cur[seg.field];
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Sets `value` at `path`, creating objects and arrays on the way (replace semantics, like the default patch policy). */
export function setValue(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = parseFieldPath(path);
  let cur: unknown = obj;
  segs.forEach((seg, n) => {
    const last = n === segs.length - 1;
    const next = segs[n + 1];
    const fresh = () => (next !== undefined && 'index' in next ? [] : {});
    if ('index' in seg) {
      if (!Array.isArray(cur)) throw new FieldPathError(`field path ${JSON.stringify(path)}: [${seg.index}] on a non-array`);
      while (cur.length < seg.index) cur.push(null);
      if (last) cur[seg.index] = value;
      else if (cur[seg.index] === undefined || cur[seg.index] === null) cur[seg.index] = fresh();
      cur = cur[seg.index];
    } else {
      if (!isObject(cur)) throw new FieldPathError(`field path ${JSON.stringify(path)}: field ${JSON.stringify(seg.field)} on a non-object`);
      if (last) cur[seg.field] = value;
      else if (cur[seg.field] === undefined || cur[seg.field] === null) cur[seg.field] = fresh();
      cur = cur[seg.field];
    }
  });
}
