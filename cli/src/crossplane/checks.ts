import { RESOURCE_ROLE_LABEL } from '@metrics-platform/cdk8s/lib/crossplane';
import type { SchemaRegistry } from '../validate';
import { CONVERTIBLE, PtInputError, resolvePatchSets, type Patch, type ResourcesInput, type Transform } from './pt-input';
import { assignable, schemaAt, schemaType, valueType, type Schema, type SchemaType } from './schema-path';

/**
 * What `crossplane beta validate` and a `crossplane render` dry run would catch, offline, for the platform API:
 * every object against its pinned CRD (XRD, Composition, Provider, Function, DeploymentRuntimeConfig,
 * ProviderConfig, Usage), Composition wiring (XRD, Functions, PatchSets), each composed base against its managed
 * resource CRD, every patch path against the XRD and CRD schemas, and the types flowing through transforms.
 */

export type Obj = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };

export interface CrossplaneProblem {
  /** `Kind/name` of the object the problem is in. */
  readonly object: string;
  /** Field path inside that object. */
  readonly path: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export function formatCrossplaneProblem(p: CrossplaneProblem): string {
  return `${p.object}: ${p.path}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

const PT_INPUT = { apiVersion: 'pt.fn.crossplane.io/v1beta1', kind: 'Resources' };

const idOf = (o: Obj) => `${String(o.kind)}/${String(o.metadata?.name ?? '<unnamed>')}`;
const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

class Collector {
  readonly problems: CrossplaneProblem[] = [];
  constructor(private readonly object: string) {}
  error(path: string, message: string): void {
    this.problems.push({ object: this.object, path, message, severity: 'error' });
  }
  schema(prefix: string, found: readonly { path: string; message: string; severity?: 'error' | 'warning' }[]): void {
    for (const p of found) {
      const path = prefix && p.path && p.path !== '-' ? `${prefix}.${p.path}` : prefix || p.path;
      this.problems.push({ object: this.object, path, message: p.message, severity: p.severity ?? 'error' });
    }
  }
}

/** The served XR kinds of the XRDs: `apiVersion/kind` keys. */
function servedXrKinds(xrds: readonly Obj[]): Set<string> {
  const out = new Set<string>();
  for (const x of xrds) {
    const spec = asObj(x.spec);
    const group = String(spec?.group);
    const kind = String(asObj(spec?.names)?.kind);
    for (const v of (spec?.versions ?? []) as Obj[]) if (v.served === true) out.add(`${group}/${String(v.name)}/${kind}`);
  }
  return out;
}

function verbs(fmt: string): string[] {
  return [...fmt.replace(/%%/g, '').matchAll(/%[-+# 0]*[0-9]*(?:\.[0-9]+)?([a-zA-Z])/g)].map((m) => m[1] ?? '');
}

/** `goInt`: the value is a Go int64 (it went through a convert to int/int64), not a number read from the XR. */
function verbAccepts(verb: string, t: SchemaType, goInt = false): boolean {
  if (t === 'any' || verb === 'v') return true;
  if (verb === 's') return t === 'string';
  if (verb === 'd') return t === 'integer' && goInt;
  // Numbers read from the XR reach the function as protobuf Struct values: float64 even where the XRD says
  // integer, so %d never fits them (Go prints %!d(float64=7)); %f, %e and %g do.
  if (verb === 'f' || verb === 'e' || verb === 'g') return t === 'integer' || t === 'number';
  return false;
}

const CONVERT_TYPES: Record<string, SchemaType> = { string: 'string', int: 'integer', int64: 'integer', bool: 'boolean', float64: 'number' };
const GO_TYPES: Partial<Record<SchemaType, string>> = { string: 'string', integer: 'float64', number: 'float64', boolean: 'bool' };

/**
 * The type a transform chain produces from a source of type `input` (with the source's enum, if any), or a
 * message saying why the function would fail at run time.
 */
export function transformedType(transforms: readonly Transform[], input: SchemaType, inputEnum?: readonly unknown[]): { type: SchemaType } | { error: string } {
  let t = input;
  // Numbers read from the XR are float64 (protobuf Struct); only a convert transform makes an int64.
  let goInt = false;
  let values = inputEnum;
  for (const [i, tr] of transforms.entries()) {
    const at = `transforms[${i}]`;
    const inputIsInt = goInt;
    goInt = false;
    switch (tr.type) {
      case 'map': {
        if (!assignable(t, 'string')) return { error: `${at}: a map transform needs a string input, got ${t}` };
        const map = tr.map ?? {};
        const missing = (values ?? []).filter((v) => typeof v === 'string' && !(v in map));
        if (missing.length > 0) return { error: `${at}: map has no key for source value(s) ${missing.map((m) => JSON.stringify(m)).join(', ')}` };
        const types = new Set(Object.values(map).map(valueType));
        t = types.size === 1 ? [...types][0]! : 'any';
        values = Object.values(map);
        break;
      }
      case 'match': {
        if (!assignable(t, 'string')) return { error: `${at}: a match transform needs a string input, got ${t}` };
        const results = [...(tr.match?.patterns ?? []).map((p) => p.result), ...(tr.match?.fallbackTo === 'Input' ? [] : [tr.match?.fallbackValue])];
        const types = new Set(results.map(valueType));
        t = tr.match?.fallbackTo === 'Input' ? 'any' : types.size === 1 ? [...types][0]! : 'any';
        values = undefined;
        break;
      }
      case 'string': {
        const s = tr.string ?? {};
        if ((s.type ?? 'Format') === 'Format') {
          const vs = verbs(s.fmt ?? '');
          if (vs.length !== 1) return { error: `${at}: format ${JSON.stringify(s.fmt)} must have exactly one verb for its one input, has ${vs.length}` };
          if (!verbAccepts(vs[0]!, t, inputIsInt)) return { error: `${at}: format verb %${vs[0]} does not accept a ${t} input (Go prints %!${vs[0]}(${inputIsInt ? 'int64' : (GO_TYPES[t] ?? t)}=...))` };
        } else if (s.type === 'Convert') {
          if (!['ToUpper', 'ToLower', 'ToJson'].includes(String(s.convert))) return { error: `${at}: string convert ${String(s.convert)} is not used by this platform's renderer` };
        } else return { error: `${at}: string transform type ${String(s.type)} is not implemented by the offline renderer` };
        t = 'string';
        values = undefined;
        break;
      }
      case 'convert': {
        const to = CONVERT_TYPES[tr.convert?.toType ?? ''];
        if (!to) return { error: `${at}: convert toType ${String(tr.convert?.toType)} is not one of string, int, int64, bool, float64` };
        const from = GO_TYPES[t];
        const goTo = GO_TYPES[to];
        if (t !== 'any' && (from === undefined || (from !== goTo && !CONVERTIBLE.has(`${from}->${goTo}`)))) {
          return { error: `${at}: conversion from ${from ?? t} to ${goTo} is not supported` };
        }
        t = to;
        goInt = tr.convert?.toType === 'int' || tr.convert?.toType === 'int64';
        values = undefined;
        break;
      }
      default:
        return { error: `${at}: transform type ${tr.type} is not implemented by the offline renderer` };
    }
  }
  return { type: t };
}

interface PatchContext {
  readonly c: Collector;
  readonly at: string;
  readonly xrSchema: Schema | undefined;
  readonly mrSchema: Schema | undefined;
  readonly xrName: string;
  readonly mrName: string;
}

function checkPath(ctx: PatchContext, schema: Schema | undefined, owner: string, path: string | undefined, field: string): Schema | undefined {
  if (schema === undefined) return undefined; // the unknown kind is reported once, elsewhere
  if (!path) {
    ctx.c.error(`${ctx.at}.${field}`, 'required: a field path');
    return undefined;
  }
  let s: Schema | undefined;
  try {
    s = schemaAt(schema, path);
  } catch (err) {
    ctx.c.error(`${ctx.at}.${field}`, (err as Error).message);
    return undefined;
  }
  if (s === undefined) ctx.c.error(`${ctx.at}.${field}`, `${JSON.stringify(path)} does not exist in the schema of ${owner}`);
  return s;
}

function checkFlow(ctx: PatchContext, transforms: readonly Transform[] | undefined, source: Schema, target: Schema, what: string): void {
  const r = transformedType(transforms ?? [], schemaType(source), Array.isArray(source.enum) ? source.enum : undefined);
  if ('error' in r) {
    ctx.c.error(ctx.at, r.error);
    return;
  }
  const to = schemaType(target);
  if (!assignable(r.type, to)) ctx.c.error(ctx.at, `${what} produces a ${r.type} but the target field is a ${to}`);
}

function checkPatch(ctx: PatchContext, p: Patch): void {
  const type = p.type ?? 'FromCompositeFieldPath';
  switch (type) {
    case 'FromCompositeFieldPath': {
      const from = checkPath(ctx, ctx.xrSchema, ctx.xrName, p.fromFieldPath, 'fromFieldPath');
      const to = checkPath(ctx, ctx.mrSchema, ctx.mrName, p.toFieldPath ?? p.fromFieldPath, 'toFieldPath');
      if (from && to) checkFlow(ctx, p.transforms, from, to, `${p.fromFieldPath} -> ${p.toFieldPath}`);
      return;
    }
    case 'ToCompositeFieldPath': {
      const from = checkPath(ctx, ctx.mrSchema, ctx.mrName, p.fromFieldPath, 'fromFieldPath');
      const to = checkPath(ctx, ctx.xrSchema, ctx.xrName, p.toFieldPath ?? p.fromFieldPath, 'toFieldPath');
      if (from && to) checkFlow(ctx, p.transforms, from, to, `${p.fromFieldPath} -> ${p.toFieldPath}`);
      return;
    }
    case 'CombineFromComposite': {
      const vars = p.combine?.variables ?? [];
      const types = vars.map((v, i) => checkPath(ctx, ctx.xrSchema, ctx.xrName, v.fromFieldPath, `combine.variables[${i}].fromFieldPath`));
      const to = checkPath(ctx, ctx.mrSchema, ctx.mrName, p.toFieldPath, 'toFieldPath');
      const fmt = p.combine?.string?.fmt ?? '';
      const vs = verbs(fmt);
      if (vs.length !== vars.length) ctx.c.error(`${ctx.at}.combine.string.fmt`, `has ${vs.length} verbs for ${vars.length} variables`);
      vs.forEach((verb, i) => {
        const t = schemaType(types[i]);
        if (types[i] && !verbAccepts(verb, t)) {
          ctx.c.error(`${ctx.at}.combine.variables[${i}]`, `%${verb} cannot format ${vars[i]?.fromFieldPath} (a ${t}); Go would print %!${verb}(${GO_TYPES[t] ?? t}=...)`);
        }
      });
      if (to) checkFlow(ctx, p.transforms, { type: 'string' }, to, `combine -> ${p.toFieldPath}`);
      return;
    }
    default:
      ctx.c.error(ctx.at, `patch type ${type} is not implemented by the offline renderer`);
  }
}

/** `spec.forProvider.x is a required parameter` CEL rules are satisfied by the patch that fills that field. */
function filledByPatch(message: string, patched: ReadonlySet<string>): boolean {
  const m = /^(spec\.[A-Za-z0-9_.]+) is a required parameter\b/.exec(message);
  return m !== null && m[1] !== undefined && patched.has(m[1]);
}

/** Every `matchLabels` selector below `value`, with its path (`spec.forProvider.kmsKeySelector`). */
/** (`owner` is the object holding the selector: for a Usage's `of`/`by` it also holds the selected apiVersion/kind.) */
function selectors(value: unknown, path: string, out: { path: string; labels: Record<string, unknown>; owner: Obj }[]): void {
  const o = asObj(value);
  if (!o) {
    if (Array.isArray(value)) value.forEach((v, i) => selectors(v, `${path}[${i}]`, out));
    return;
  }
  for (const [k, v] of Object.entries(o)) {
    const p = path ? `${path}.${k}` : k;
    const labels = asObj(asObj(v)?.matchLabels);
    if ((k.endsWith('Selector') || k === 'resourceSelector') && labels) out.push({ path: `${p}.matchLabels`, labels, owner: o });
    else selectors(v, p, out);
  }
}

/**
 * Sibling references resolve: every selector on the role label names a resource of the same Composition, and a
 * Usage's `of`/`by` name a resource of the kind they declare (else the Usage never resolves and blocks deletion).
 */
function checkSiblingReferences(c: Collector, at: string, templates: readonly { name: string; base?: Obj }[]): void {
  const roles = new Map<string, { apiVersion: string; kind: string }>();
  for (const t of templates) {
    const role = asObj(asObj(t.base?.metadata)?.labels)?.[RESOURCE_ROLE_LABEL];
    if (typeof role === 'string') roles.set(role, { apiVersion: String(t.base?.apiVersion), kind: String(t.base?.kind) });
  }
  templates.forEach((t, ri) => {
    const found: { path: string; labels: Record<string, unknown>; owner: Obj }[] = [];
    selectors(t.base?.spec, 'spec', found);
    for (const sel of found) {
      const role = sel.labels[RESOURCE_ROLE_LABEL];
      if (typeof role !== 'string') continue;
      const target = roles.get(role);
      const where = `${at}.resources[${ri}](${t.name}).base.${sel.path}`;
      if (!target) {
        c.error(where, `selects ${RESOURCE_ROLE_LABEL}=${role}, which no resource of this Composition has (roles: ${[...roles.keys()].join(', ')})`);
        continue;
      }
      // A Usage declares the kind it selects next to its selector.
      const parent = sel.owner;
      if (typeof parent.kind === 'string' && (parent.kind !== target.kind || parent.apiVersion !== target.apiVersion)) {
        c.error(where, `selects ${role}, a ${target.apiVersion} ${target.kind}, but declares ${String(parent.apiVersion)} ${parent.kind}`);
      }
    }
  });
}

function checkComposition(registry: SchemaRegistry, comp: Obj, xrKinds: ReadonlySet<string>, functionNames: ReadonlySet<string>): CrossplaneProblem[] {
  const c = new Collector(idOf(comp));
  const spec = asObj(comp.spec) ?? {};
  const ref = asObj(spec.compositeTypeRef) ?? {};
  const xrApiVersion = String(ref.apiVersion);
  const xrKind = String(ref.kind);
  if (!xrKinds.has(`${xrApiVersion}/${xrKind}`)) {
    c.error('spec.compositeTypeRef', `got ${xrApiVersion}/${xrKind}; expected a kind served by an XRD (${[...xrKinds].join(', ') || 'none'})`);
  }
  if (spec.mode !== 'Pipeline') c.error('spec.mode', `got ${JSON.stringify(spec.mode)}; expected "Pipeline"`);
  const xrSchema = registry.schemaFor(xrApiVersion, xrKind) as Schema | undefined;
  ((spec.pipeline ?? []) as Obj[]).forEach((step, si) => {
    const fn = String(asObj(step.functionRef)?.name);
    if (!functionNames.has(fn)) c.error(`spec.pipeline[${si}].functionRef.name`, `got ${JSON.stringify(fn)}; expected an installed Function (${[...functionNames].join(', ')})`);
    const input = asObj(step.input);
    if (fn !== 'function-patch-and-transform' || !input) return;
    const inputAt = `spec.pipeline[${si}].input`;
    c.schema(inputAt, registry.validate(input));
    if (input.apiVersion !== PT_INPUT.apiVersion || input.kind !== PT_INPUT.kind) return;
    let templates;
    try {
      templates = resolvePatchSets(input as unknown as ResourcesInput);
    } catch (err) {
      if (!(err instanceof PtInputError)) throw err;
      c.error(inputAt, err.message);
      return;
    }
    checkSiblingReferences(c, inputAt, templates as { name: string; base?: Obj }[]);
    templates.forEach((t, ri) => {
      const at = `${inputAt}.resources[${ri}]`;
      const base = asObj(t.base);
      if (!base) {
        c.error(`${at}.base`, 'required: every resource of this platform has a base');
        return;
      }
      const mrApiVersion = String(base.apiVersion);
      const mrKind = String(base.kind);
      const mrSchema = registry.schemaFor(mrApiVersion, mrKind) as Schema | undefined;
      const patched = new Set((t.patches ?? []).filter((p) => (p.type ?? 'FromCompositeFieldPath') !== 'ToCompositeFieldPath').map((p) => p.toFieldPath ?? ''));
      const found = registry.validate(base, { allowMissingRequired: true }).filter((p) => !filledByPatch(p.message, patched));
      c.schema(`${at}.base`, found);
      const ctx = { c, xrSchema, mrSchema, xrName: `${xrApiVersion}/${xrKind}`, mrName: `${mrApiVersion}/${mrKind}` };
      (t.patches ?? []).forEach((p, pi) => checkPatch({ ...ctx, at: `${at}(${t.name}).patches[${pi}]` }, p));
    });
  });
  return c.problems;
}

/**
 * Checks the platform API objects (the contents of `crossplane/` plus a ProviderConfig and any XRs). XRDs are
 * registered with the registry first, so Compositions and XRs are checked against the repo's own XRDs.
 */
export function checkPlatform(registry: SchemaRegistry, objects: readonly Obj[]): CrossplaneProblem[] {
  const xrds = objects.filter((o) => o.kind === 'CompositeResourceDefinition');
  for (const x of xrds) registry.addXrd(x);
  const xrKinds = servedXrKinds(xrds);
  const functionNames = new Set(objects.filter((o) => o.kind === 'Function' && o.apiVersion?.startsWith('pkg.crossplane.io/')).map((o) => String(o.metadata?.name)));
  const problems: CrossplaneProblem[] = [];
  for (const o of objects) {
    const c = new Collector(idOf(o));
    c.schema('', registry.validate(o));
    problems.push(...c.problems);
    if (o.kind === 'Composition') problems.push(...checkComposition(registry, o, xrKinds, functionNames));
  }
  return problems;
}
