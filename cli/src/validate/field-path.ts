/** Turns a JSON pointer (`/spec/containers/0/image`) into a field path (`spec.containers[0].image`). */
export function pointerToPath(pointer: string, data: unknown): string {
  if (pointer === '') return '';
  const segments = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  let cur: unknown = data;
  for (const seg of segments) {
    path = Array.isArray(cur) ? `${path}[${seg}]` : joinField(path, seg);
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return path;
}

/** Appends one field name; names that are not identifiers (label keys, `a.b/c`) are quoted in brackets. */
export function joinField(path: string, field: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(field)) return path === '' ? field : `${path}.${field}`;
  return `${path}[${JSON.stringify(field)}]`;
}
