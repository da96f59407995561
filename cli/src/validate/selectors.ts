import { asArray, asObj, asString } from './objects';

/**
 * Kubernetes label selector semantics: a `LabelSelector` (matchLabels + matchExpressions) or a plain map
 * (Service.spec.selector). An empty LabelSelector selects everything; an absent one selects nothing.
 */
export function matchesSelector(selector: unknown, labels: Record<string, string>): boolean {
  const sel = asObj(selector);
  if (sel === undefined) return false;
  const matchLabels = asObj(sel.matchLabels) ?? {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  for (const e of asArray(sel.matchExpressions)) {
    const expr = asObj(e);
    const key = asString(expr?.key) ?? '';
    const values = asArray(expr?.values).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (expr?.operator) {
      case 'In':
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's selector is a plain map: every pair must match. */
export function matchesMap(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function isEmptySelector(selector: unknown): boolean {
  const sel = asObj(selector);
  return (
    sel !== undefined &&
    Object.keys(asObj(sel.matchLabels) ?? {}).length === 0 &&
    asArray(sel.matchExpressions).length === 0
  );
}
