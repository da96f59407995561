/** One finding of a schema against one object; `path` is a field path like `spec.template.spec.containers[0].image`. */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
  /**
   * `warning` only for what could not be decided (e.g. a CEL rule using a function this validator does not
   * implement); everything else is an error.
   * @default 'error'
   */
  readonly severity?: Severity;
}

export type Severity = 'error' | 'warning';

/** One finding about one object of one file: the unit `platform validate` prints. */
export interface Problem {
  readonly file: string;
  readonly kind: string;
  /** `-` for cluster-scoped objects (and for findings about a whole file). */
  readonly namespace: string;
  readonly name: string;
  /** Field path inside the object, `-` when the finding is about the object as a whole. */
  readonly path: string;
  readonly message: string;
  readonly severity: Severity;
}

/** `file: kind/namespace/name: path: message`, with `warning: ` in front of the message for warnings. */
export function formatProblem(p: Problem): string {
  const message = p.severity === 'warning' ? `warning: ${p.message}` : p.message;
  return `${p.file}: ${p.kind}/${p.namespace}/${p.name}: ${p.path}: ${message}`;
}

/** Sorted by file, then object, then path, so output is stable between runs. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const key = (p: Problem): string => [p.file, p.kind, p.namespace, p.name, p.path, p.message].join('\u0000');
  return [...problems].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
