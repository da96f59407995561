/** Appends one field name; names that are not identifiers (label keys, `a.b/c`) are quoted in brackets. */
export function joinField(path: string, field: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(field)) return path === '' ? field : `${path}.${field}`;
  return `${path}[${JSON.stringify(field)}]`;
}
