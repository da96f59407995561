/**
 * The shape of function-patch-and-transform's input (pt.fn.crossplane.io/v1beta1 Resources), for the static checks
 * of `platform validate`. What the function does with it is judged by the function itself (engines/, `platform
 * render`, `npm run test:engines`); nothing here evaluates a patch.
 */

export type Obj = Record<string, unknown>;

export interface Transform {
  readonly type: string;
  readonly map?: Readonly<Record<string, unknown>>;
  readonly match?: {
    readonly patterns?: readonly { readonly type?: string; readonly literal?: string; readonly regexp?: string; readonly result?: unknown }[];
    readonly fallbackTo?: 'Value' | 'Input';
    readonly fallbackValue?: unknown;
  };
  readonly string?: { readonly type?: string; readonly fmt?: string; readonly convert?: string };
  readonly convert?: { readonly toType: string; readonly format?: string };
}

export interface Patch {
  readonly type?: string;
  readonly fromFieldPath?: string;
  readonly toFieldPath?: string;
  readonly patchSetName?: string;
  readonly combine?: { readonly strategy: string; readonly variables: readonly { readonly fromFieldPath: string }[]; readonly string?: { readonly fmt: string } };
  readonly transforms?: readonly Transform[];
  readonly policy?: { readonly fromFieldPath?: 'Optional' | 'Required'; readonly toFieldPath?: string };
}

export interface ComposedTemplate {
  readonly name: string;
  readonly base?: Obj;
  readonly patches?: readonly Patch[];
}

export interface ResourcesInput {
  readonly apiVersion: string;
  readonly kind: string;
  readonly patchSets?: readonly { readonly name: string; readonly patches: readonly Patch[] }[];
  readonly resources: readonly ComposedTemplate[];
}

export class PtInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PtInputError';
  }
}

/** The templates with their PatchSet references inlined (a PatchSet may not reference another). */
export function resolvePatchSets(input: ResourcesInput): ComposedTemplate[] {
  const sets = new Map<string, readonly Patch[]>();
  for (const s of input.patchSets ?? []) {
    if (s.patches.some((p) => p.type === 'PatchSet')) throw new PtInputError(`patchSets[${s.name}]: a patch in a PatchSet cannot be of type PatchSet`);
    sets.set(s.name, s.patches);
  }
  return input.resources.map((r) => ({
    ...r,
    patches: (r.patches ?? []).flatMap((p) => {
      if (p.type !== 'PatchSet') return [p];
      const ps = p.patchSetName === undefined ? undefined : sets.get(p.patchSetName);
      if (!ps) throw new PtInputError(`resources[${r.name}]: cannot find PatchSet by name ${String(p.patchSetName)}`);
      return ps;
    }),
  }));
}

/** The Go type pairs (`from->to`) the function's convert transform supports without a format. */
export const CONVERTIBLE: ReadonlySet<string> = new Set([
  'string->int64',
  'string->bool',
  'string->float64',
  'int64->string',
  'int64->bool',
  'int64->float64',
  'bool->string',
  'bool->int64',
  'bool->float64',
  'float64->string',
  'float64->int64',
]);
