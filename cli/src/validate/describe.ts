/** A short, quoted rendering of a value for messages: `"abc"`, `number 3`, `an object`. */
export function describe(data: unknown): string {
  if (data === null) return 'null';
  if (data === undefined) return 'nothing';
  if (Array.isArray(data)) return 'an array';
  if (typeof data === 'object') return 'an object';
  if (typeof data === 'string') return JSON.stringify(data.length > 80 ? `${data.slice(0, 77)}...` : data);
  return `${typeof data} ${String(data)}`;
}
