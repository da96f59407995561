/**
 * A Kubernetes `resource.Quantity` in its serialized form: a signed decimal number, then one suffix among the
 * binary SI (Ki..Ei), decimal SI (n, u, m, k, M, G, T, P, E) or a decimal exponent (e3, E-2).
 */
const QUANTITY = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

export function isQuantity(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && QUANTITY.test(value);
}
