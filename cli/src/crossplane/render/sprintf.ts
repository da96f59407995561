/**
 * The subset of Go's fmt.Sprintf that CombineFromComposite (`strategy: string`) and the string `Format` transform
 * use: %s, %d, %v and %%. Values arrive as JSON values decoded like Kubernetes does (integers are int64), and
 * mismatches print the way Go prints them (`%!d(string=abc)`), so a wrong verb shows in the rendered value.
 */

function goType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (v === null || v === undefined) return '<nil>';
  return 'map[string]interface {}';
}

function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  const o = v as Record<string, unknown>;
  return `map[${Object.keys(o)
    .sort()
    .map((k) => `${k}:${goValue(o[k])}`)
    .join(' ')}]`;
}

export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const verb = format[++i];
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[argi++];
    const t = goType(a);
    switch (verb) {
      case 'v':
        out += goValue(a);
        break;
      case 's':
        out += t === 'string' ? (a as string) : `%!s(${t}=${goValue(a)})`;
        break;
      case 'd':
        out += t === 'int64' ? String(a) : `%!d(${t}=${goValue(a)})`;
        break;
      default:
        out += `%!${verb}(${t}=${goValue(a)})`;
    }
  }
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => `${goType(a)}=${goValue(a)}`).join(', ')})`;
  return out;
}
