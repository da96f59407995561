import { getValue, setValue } from './fieldpath';
import { sprintf } from './sprintf';
import { resolveTransforms, type Transform } from './transforms';

/**
 * An offline `crossplane render` for this platform's Compositions: runs a Pipeline-mode Composition's
 * function-patch-and-transform step (only the patch types the Compositions use) and treats function-auto-ready as
 * readiness-only. Like the function, it patches FROM the observed XR / observed composed resources TO the desired
 * ones, skips Optional patches whose source is missing, and leaves a resource out of the desired state when one of
 * its Required patches cannot be applied.
 */

export type Obj = Record<string, unknown>;

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

export interface RenderOptions {
  /** Observed composed resources by composition resource name (their status feeds ToComposite patches). */
  readonly observed?: Readonly<Record<string, Obj>>;
  /** Names of the installed Functions; a step naming another function is an error. */
  readonly functions?: ReadonlySet<string>;
}

export interface RenderedResource {
  readonly name: string;
  readonly object: Obj;
}

export interface RenderResult {
  /** The desired XR: the observed XR with the status ToComposite patches wrote. */
  readonly xr: Obj;
  readonly resources: RenderedResource[];
  /** Resources left out of the desired state, and why (a Required patch could not be applied). */
  readonly skipped: { readonly name: string; readonly reason: string }[];
  /** Problems the function reports as warnings (e.g. a ToComposite patch failed). */
  readonly warnings: string[];
}

export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}

export const PATCH_AND_TRANSFORM = 'function-patch-and-transform';
export const AUTO_READY = 'function-auto-ready';

class NotFound extends Error {}

function from(obj: unknown, path: string): unknown {
  const v = getValue(obj, path);
  if (v === undefined) throw new NotFound(`${path}: no such field`);
  return v;
}

/** Inlines PatchSet references, as the function does before rendering. */
export function resolvePatchSets(input: ResourcesInput): ComposedTemplate[] {
  const sets = new Map<string, readonly Patch[]>();
  for (const s of input.patchSets ?? []) {
    if (s.patches.some((p) => p.type === 'PatchSet')) throw new RenderError(`patchSets[${s.name}]: a patch in a PatchSet cannot be of type PatchSet`);
    sets.set(s.name, s.patches);
  }
  return input.resources.map((r) => ({
    ...r,
    patches: (r.patches ?? []).flatMap((p) => {
      if (p.type !== 'PatchSet') return [p];
      const ps = p.patchSetName === undefined ? undefined : sets.get(p.patchSetName);
      if (!ps) throw new RenderError(`resources[${r.name}]: cannot find PatchSet by name ${String(p.patchSetName)}`);
      return ps;
    }),
  }));
}

function patchType(p: Patch): string {
  return p.type ?? 'FromCompositeFieldPath';
}

function setTo(target: Obj, p: Patch, value: unknown, toPath: string): void {
  const policy = p.policy?.toFieldPath ?? 'Replace';
  if (policy !== 'Replace') throw new RenderError(`toFieldPath policy ${policy} is not implemented by this renderer`);
  setValue(target, toPath, structuredClone(value));
}

function combineValue(p: Patch, source: unknown): unknown {
  const c = p.combine;
  if (!c) throw new RenderError('CombineFromComposite patch without combine');
  if (c.strategy !== 'string' || !c.string) throw new RenderError(`combine strategy ${c.strategy} is not supported`);
  const vars = c.variables.map((v) => from(source, v.fromFieldPath));
  return sprintf(c.string.fmt, vars);
}

/** Applies FromComposite/CombineFromComposite patches; returns the reason when a Required one fails. */
function applyFromComposite(patches: readonly Patch[], xr: Obj, target: Obj): string | undefined {
  for (const p of patches) {
    const t = patchType(p);
    if (t !== 'FromCompositeFieldPath' && t !== 'CombineFromComposite') continue;
    try {
      const raw = t === 'CombineFromComposite' ? combineValue(p, xr) : from(xr, p.fromFieldPath ?? '');
      const value = resolveTransforms(p.transforms, raw);
      setTo(target, p, value, p.toFieldPath ?? p.fromFieldPath ?? '');
    } catch (err) {
      if (err instanceof NotFound && p.policy?.fromFieldPath !== 'Required') continue;
      if (err instanceof RenderError) throw err;
      return `${t} ${p.fromFieldPath ?? p.combine?.variables.map((v) => v.fromFieldPath).join(',')} -> ${String(p.toFieldPath)}: ${(err as Error).message}`;
    }
  }
  return undefined;
}

function applyToComposite(patches: readonly Patch[], observed: Obj, xr: Obj, warnings: string[], name: string): void {
  for (const p of patches) {
    const t = patchType(p);
    if (t === 'FromCompositeFieldPath' || t === 'CombineFromComposite') continue;
    if (t !== 'ToCompositeFieldPath') throw new RenderError(`resources[${name}]: patch type ${t} is not implemented by this renderer`);
    try {
      const value = resolveTransforms(p.transforms, from(observed, p.fromFieldPath ?? ''));
      setTo(xr, p, value, p.toFieldPath ?? p.fromFieldPath ?? '');
    } catch (err) {
      if (err instanceof NotFound && p.policy?.fromFieldPath !== 'Required') continue;
      if (err instanceof RenderError) throw err;
      warnings.push(`cannot render ToComposite patches for composed resource ${JSON.stringify(name)}: ${(err as Error).message}`);
    }
  }
}

function metadataOf(o: Obj): Obj {
  return (o.metadata ?? {}) as Obj;
}

/** Runs function-patch-and-transform's input against an observed XR. */
export function renderPatchAndTransform(input: ResourcesInput, xr: Obj, opts: RenderOptions = {}): RenderResult {
  if (input.apiVersion !== 'pt.fn.crossplane.io/v1beta1' || input.kind !== 'Resources') {
    throw new RenderError(`function input: got ${input.apiVersion}/${input.kind}; expected pt.fn.crossplane.io/v1beta1/Resources`);
  }
  const desiredXr = structuredClone(xr);
  const xrMeta = metadataOf(xr);
  const resources: RenderedResource[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const warnings: string[] = [];
  for (const t of resolvePatchSets(input)) {
    if (!t.base) throw new RenderError(`composed resource ${JSON.stringify(t.name)} has no base template, and was not produced by a previous Function in the pipeline`);
    const obj = structuredClone(t.base);
    const observed = opts.observed?.[t.name];
    if (observed) applyToComposite(t.patches ?? [], observed, desiredXr, warnings, t.name);
    const reason = applyFromComposite(t.patches ?? [], xr, obj);
    if (reason !== undefined) {
      skipped.push({ name: t.name, reason });
      continue;
    }
    // What Crossplane adds to every composed resource of a namespaced XR.
    const meta = { ...metadataOf(obj) };
    meta.namespace = xrMeta.namespace;
    meta.generateName = `${String(xrMeta.name)}-`;
    meta.labels = { ...((meta.labels as Obj | undefined) ?? {}), 'crossplane.io/composite': xrMeta.name };
    meta.annotations = { ...((meta.annotations as Obj | undefined) ?? {}), 'crossplane.io/composition-resource-name': t.name };
    obj.metadata = meta;
    resources.push({ name: t.name, object: obj });
  }
  return { xr: desiredXr, resources, skipped, warnings };
}

/** Renders a Pipeline-mode Composition for one XR. */
export function renderComposition(composition: Obj, xr: Obj, opts: RenderOptions = {}): RenderResult {
  const spec = (composition.spec ?? {}) as Obj;
  if (spec.mode !== 'Pipeline') throw new RenderError(`spec.mode: got ${JSON.stringify(spec.mode)}; expected "Pipeline"`);
  const ref = spec.compositeTypeRef as Obj | undefined;
  if (ref?.apiVersion !== xr.apiVersion || ref?.kind !== xr.kind) {
    throw new RenderError(`spec.compositeTypeRef: got ${String(ref?.apiVersion)}/${String(ref?.kind)}; expected the XR's ${String(xr.apiVersion)}/${String(xr.kind)}`);
  }
  let result: RenderResult = { xr: structuredClone(xr), resources: [], skipped: [], warnings: [] };
  const steps = (spec.pipeline ?? []) as Obj[];
  steps.forEach((step, i) => {
    const fn = String((step.functionRef as Obj | undefined)?.name);
    if (opts.functions && !opts.functions.has(fn)) {
      throw new RenderError(`spec.pipeline[${i}].functionRef.name: got ${JSON.stringify(fn)}; expected an installed Function (${[...opts.functions].join(', ')})`);
    }
    if (fn === PATCH_AND_TRANSFORM) {
      result = renderPatchAndTransform(step.input as unknown as ResourcesInput, xr, opts);
    } else if (fn !== AUTO_READY) {
      throw new RenderError(`spec.pipeline[${i}]: function ${JSON.stringify(fn)} is not implemented by this renderer`);
    }
  });
  return result;
}
