const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Field names seen, each with whether it is an identifier (names repeat in every object; bounded). */
const identifiers = new Map<string, boolean>();

/** Appends one field name; names that are not identifiers (label keys, `a.b/c`) are quoted in brackets. */
export function joinField(path: string, field: string): string {
  let identifier = identifiers.get(field);
  if (identifier === undefined) {
    identifier = IDENTIFIER.test(field);
    if (identifiers.size < 100_000) identifiers.set(field, identifier);
  }
  if (identifier) return path === '' ? field : `${path}.${field}`;
  return `${path}[${JSON.stringify(field)}]`;
}
