import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userCrdJsonCacheDir } from '../schemas/cache-dir';
import { writeFileAtomic } from '../util/atomic';
import { withBuiltinEnums } from './builtin-enums';
import { CrdYamlError, parseCrdFile } from './crd-json-cache';
import { withDefaults } from './defaults';
import { describe } from './describe';
import type { SchemaProblem } from './problem';
import { validateAgainst } from './schema-walker';
import { compositeKindsOf } from './xrd';

type Schema = Record<string, unknown>;

export interface ValidateOptions {
  /** Accept objects that lack required fields (e.g. Composition bases that patches complete). @default false */
  readonly allowMissingRequired?: boolean;
}

export interface SchemaRegistryOptions {
  /**
   * Directory of parsed CRD files as JSON, keyed by the YAML's sha256; `false` parses every time.
   * @default `<user cache>/metrics-platform/crd-json`
   */
  readonly crdJsonCache?: string | false;
}

interface KindEntry {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean | undefined;
  /** Where the kind comes from, for messages: a definitions name, a CRD file or an XRD. */
  readonly source: string;
  /** The upstream schema (lazy for CRD files: parsed on first use). */
  schema?: Schema;
  /** Set for Kubernetes built-in kinds: the `definitions` key. */
  readonly definition?: string;
  /** Set for CRD files indexed but not parsed yet. */
  readonly file?: string;
  /** Set for XR kinds: the XRD object that defined it. */
  readonly xrd?: object;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Built-in kinds that are cluster-scoped (the definitions file does not say); everything else is namespaced. */
const CLUSTER_SCOPED_BUILTINS = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ClusterRole',
  'ClusterRoleBinding',
  'ClusterTrustBundle',
  'ComponentStatus',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'DeviceClass',
  'DeviceTaintRule',
  'FlowSchema',
  'IngressClass',
  'IPAddress',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'ResourceSlice',
  'RuntimeClass',
  'SelfSubjectAccessReview',
  'SelfSubjectReview',
  'SelfSubjectRulesReview',
  'ServiceCIDR',
  'StorageClass',
  'StorageVersion',
  'StorageVersionMigration',
  'SubjectAccessReview',
  'TokenReview',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
  'VolumeAttributesClass',
]);

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    throw new SchemaLoadError(`${dir}: cannot read the schemas directory: ${(err as Error).message}`);
  }
}

function key(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

function obj(v: unknown): Schema | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Schema) : undefined;
}

/** Raised for a CRD or schema file that cannot be read; names the file or CRD and what is wrong. */
export class SchemaLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaLoadError';
  }
}

/**
 * The schemas of every kind `platform validate` knows: Kubernetes built-ins from the pinned `_definitions.json`,
 * every CRD under `crds/`, and XR kinds from the repo's own XRDs. Schemas are compiled on first use and cached.
 */
export class SchemaRegistry {
  /** Loads `<dir>/kubernetes/*definitions.json` and indexes `<dir>/crds/*.yaml` (parsed only when a kind is used). */
  static load(schemasDir: string, opts: SchemaRegistryOptions = {}): SchemaRegistry {
    const registry = new SchemaRegistry(opts);
    const k8sDir = join(schemasDir, 'kubernetes');
    const defsFiles = listDir(k8sDir).filter((f) => f.endsWith('definitions.json'));
    if (defsFiles.length !== 1)
      throw new SchemaLoadError(
        `${k8sDir}: expected exactly one *definitions.json, got ${defsFiles.length === 0 ? 'none' : defsFiles.join(', ')}`,
      );
    const defsFile = join(k8sDir, defsFiles[0] as string);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(defsFile, 'utf8'));
    } catch (err) {
      throw new SchemaLoadError(`${defsFile}: not valid JSON: ${(err as Error).message}`);
    }
    registry.addKubernetesDefinitions(parsed, defsFile);
    const crdDir = join(schemasDir, 'crds');
    registry.indexCrdFiles(
      listDir(crdDir)
        .sort()
        .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
        .map((f) => join(crdDir, f)),
    );
    return registry;
  }

  private readonly kinds = new Map<string, KindEntry>();
  /** Per XRD object added, the kinds it added. */
  private readonly xrdKeys = new WeakMap<object, string[]>();
  private readonly crdJsonCacheDir: string | undefined;

  constructor(opts: SchemaRegistryOptions = {}) {
    this.crdJsonCacheDir = opts.crdJsonCache === false ? undefined : (opts.crdJsonCache ?? userCrdJsonCacheDir());
  }

  /** Per kind, the schema as validated: CRD metadata pointed at ObjectMeta. */
  private readonly prepared = new Map<string, Schema>();
  private k8sDefinitions: Schema | undefined;

  /** Registers the Kubernetes built-in kinds of an OpenAPI v2 `definitions` document. */
  addKubernetesDefinitions(doc: unknown, source = 'definitions'): void {
    const defs = obj(obj(doc)?.definitions);
    if (defs === undefined) throw new SchemaLoadError(`${source}: expected an object with "definitions"`);
    // IntOrString and Quantity are `oneOf` upstream; dedicated markers give clearer messages.
    this.k8sDefinitions = {
      ...withBuiltinEnums(defs),
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { 'x-kubernetes-int-or-string': true },
      'io.k8s.apimachinery.pkg.api.resource.Quantity': { 'x-kubernetes-quantity': true },
    };
    for (const [name, def] of Object.entries(defs)) {
      const gvks = obj(def)?.['x-kubernetes-group-version-kind'];
      // Meta types (DeleteOptions, WatchEvent) list many GVKs; objects of a kind list exactly one.
      if (!Array.isArray(gvks) || gvks.length !== 1) continue;
      const gvk = obj(gvks[0]);
      const group = String(gvk?.group ?? '');
      const version = String(gvk?.version ?? '');
      const kind = String(gvk?.kind ?? '');
      const apiVersion = group === '' ? version : `${group}/${version}`;
      this.kinds.set(key(apiVersion, kind), {
        apiVersion,
        kind,
        namespaced: !CLUSTER_SCOPED_BUILTINS.has(kind),
        source: name,
        definition: name,
        schema: def as Schema,
      });
    }
    this.prepared.clear();
  }

  /** Registers every served version of a CustomResourceDefinition (apiextensions.k8s.io/v1). */
  addCrd(crd: object, source?: string): void {
    const root = obj(crd);
    const name = String(obj(root?.metadata)?.name ?? '<unnamed>');
    const where = source ?? `CRD ${name}`;
    if (root?.kind !== 'CustomResourceDefinition')
      throw new SchemaLoadError(`${where}: kind: got ${JSON.stringify(root?.kind)}; expected CustomResourceDefinition`);
    const spec = obj(root.spec);
    const group = spec?.group;
    const kind = obj(spec?.names)?.kind;
    if (typeof group !== 'string' || typeof kind !== 'string')
      throw new SchemaLoadError(`${where}: spec.group and spec.names.kind must be strings`);
    const versions = spec?.versions;
    if (!Array.isArray(versions) || versions.length === 0)
      throw new SchemaLoadError(`${where}: spec.versions: expected at least one version`);
    for (const v of versions) {
      const version = obj(v);
      const schema = obj(obj(version?.schema)?.openAPIV3Schema);
      if (typeof version?.name !== 'string' || schema === undefined) continue;
      this.setKind({
        apiVersion: `${group}/${version.name}`,
        kind,
        namespaced: spec?.scope === 'Namespaced',
        source: where,
        schema,
      });
    }
  }

  /**
   * Registers the XR kind of a Crossplane CompositeResourceDefinition with the schema Crossplane generates for it
   * (the XRD's schema plus spec.crossplane, status.conditions, ...). Returns the `apiVersion/kind` keys added.
   */
  addXrd(xrd: object): string[] {
    // The same XRD object again (a rendered platform repeats its XRDs in every environment, and identical documents
    // share one object) while it still defines every kind it added: nothing would change.
    const before = this.xrdKeys.get(xrd);
    if (before !== undefined && before.every((k) => this.kinds.get(k)?.xrd === xrd)) return [...before];
    const added: string[] = [];
    const name = String(obj(obj(xrd)?.metadata)?.name ?? '<unnamed>');
    for (const ck of compositeKindsOf(xrd)) {
      const apiVersion = `${ck.group}/${ck.version}`;
      this.setKind({
        apiVersion,
        kind: ck.kind,
        namespaced: ck.scope === 'Namespaced',
        source: `XRD ${name}`,
        schema: ck.schema,
        xrd,
      });
      added.push(key(apiVersion, ck.kind));
    }
    this.xrdKeys.set(xrd, added);
    return [...added];
  }

  /** The upstream structural schema of a kind (a definitions entry with `#/definitions/...` refs for built-ins). */
  schemaFor(apiVersion: string, kind: string): object | undefined {
    return this.entry(apiVersion, kind)?.schema;
  }

  isNamespaced(apiVersion: string, kind: string): boolean | undefined {
    return this.entry(apiVersion, kind)?.namespaced;
  }

  /** Whether the kind is known (built-in, CRD or XRD). */
  has(apiVersion: string, kind: string): boolean {
    return this.entry(apiVersion, kind) !== undefined;
  }

  /** Where a kind's schema comes from (definitions name, CRD file, XRD), for messages and docs. */
  sourceOf(apiVersion: string, kind: string): string | undefined {
    return this.entry(apiVersion, kind)?.source;
  }

  /** Validates one object against its kind's schema made strict; CEL rules included. */
  validate(object: object, opts: ValidateOptions = {}): SchemaProblem[] {
    const o = obj(object);
    if (o === undefined) return [{ path: '', message: `expected a Kubernetes object, got ${describe(object)}` }];
    const { apiVersion, kind } = o;
    const missing: SchemaProblem[] = [];
    if (typeof apiVersion !== 'string' || apiVersion === '')
      missing.push({ path: 'apiVersion', message: `required: got ${describe(apiVersion)}; expected a string` });
    if (typeof kind !== 'string' || kind === '')
      missing.push({ path: 'kind', message: `required: got ${describe(kind)}; expected a string` });
    if (missing.length > 0) return missing;
    const entry = this.entry(apiVersion as string, kind as string);
    if (entry === undefined)
      return [{ path: '', message: this.unknownKindMessage(apiVersion as string, kind as string) }];
    // The API server applies a CRD's defaults before validation and CEL (e.g. managementPolicies: ["*"]). They are
    // applied copy-on-write: validation never changes the caller's object (which loadFiles may share between
    // identical documents), and an object with nothing to default is walked as it is.
    const data = entry.definition === undefined ? withDefaults(object, entry.schema) : object;
    const problems = validateAgainst(this.preparedSchema(entry), data, {
      definitions: this.k8sDefinitions,
      allowMissingRequired: opts.allowMissingRequired === true,
      structural: entry.definition === undefined,
    });
    return dedupe(problems);
  }

  private unknownKindMessage(apiVersion: string, kind: string): string {
    const sameKind = [...this.kinds.values()].filter((e) => e.kind === kind).map((e) => e.apiVersion);
    const hint = sameKind.length > 0 ? `; ${kind} is served as ${sameKind.sort().join(', ')}` : '';
    return `unknown kind ${kind} in ${apiVersion}: no built-in type, pinned CRD or repo XRD defines it${hint}`;
  }

  private setKind(entry: KindEntry): void {
    const k = key(entry.apiVersion, entry.kind);
    this.kinds.set(k, entry);
    this.prepared.delete(k);
  }

  private entry(apiVersion: string, kind: string): KindEntry | undefined {
    const e = this.kinds.get(key(apiVersion, kind));
    if (e !== undefined && e.schema === undefined && e.file !== undefined) this.loadCrdFile(e.file);
    const loaded = this.kinds.get(key(apiVersion, kind));
    return loaded?.schema === undefined ? undefined : loaded;
  }

  /**
   * Indexes CRD files from their headers (group, kind, scope, version names) without parsing the YAML: parsing
   * every pinned CRD costs ~0.8 s, and one run needs a handful. A file the header scan cannot read is parsed. The
   * headers are kept in the cache directory (see crdIndexFile), so a run reads none of the 5 MB when no file
   * changed.
   */
  private indexCrdFiles(files: readonly string[]): void {
    const cacheFile = this.crdJsonCacheDir === undefined ? undefined : crdIndexFile(this.crdJsonCacheDir, files);
    const cached = cacheFile === undefined ? undefined : readCrdIndex(cacheFile, files);
    const headers: Record<string, CrdHeader | null> = {};
    for (const file of files) {
      const known = cached?.[file];
      const text = known === undefined ? readFileSync(file, 'utf8') : undefined;
      const header = known !== undefined ? known : text === undefined ? null : (scanCrdHeader(text) ?? null);
      headers[file] = header;
      if (header === null) {
        this.loadCrdFile(file, text);
        continue;
      }
      for (const version of header.versions) {
        this.kinds.set(key(`${header.group}/${version}`, header.kind), {
          apiVersion: `${header.group}/${version}`,
          kind: header.kind,
          namespaced: header.scope === 'Namespaced',
          source: file,
          file,
        });
      }
    }
    if (cacheFile !== undefined && cached === undefined) {
      try {
        writeFileAtomic(cacheFile, JSON.stringify({ format: CRD_INDEX_FORMAT, headers }));
      } catch {
        // read-only home or full disk: validation still works, only slower
      }
    }
  }

  private loadCrdFile(file: string, text?: string): void {
    const content = text ?? readFileSync(file, 'utf8');
    let docs: unknown[];
    try {
      docs = parseCrdFile(file, content, this.crdJsonCacheDir);
    } catch (err) {
      if (err instanceof CrdYamlError) throw new SchemaLoadError(err.message);
      throw err;
    }
    for (const crd of docs) this.addCrd(crd as object, file);
  }

  private preparedSchema(entry: KindEntry): Schema {
    const k = key(entry.apiVersion, entry.kind);
    let schema = this.prepared.get(k);
    if (schema === undefined) {
      if (entry.definition !== undefined) schema = { $ref: `#/definitions/${entry.definition}` };
      else {
        schema = entry.schema as Schema;
        const props = obj(schema.properties);
        // The API server validates a custom resource's metadata as ObjectMeta whatever the CRD says.
        if (props !== undefined && this.k8sDefinitions !== undefined)
          schema = { ...schema, properties: { ...props, metadata: { $ref: `#/definitions/${OBJECT_META}` } } };
      }
      this.prepared.set(k, schema);
    }
    return schema;
  }
}

interface CrdHeader {
  readonly group: string;
  readonly kind: string;
  readonly scope: string;
  readonly versions: string[];
}

/** The layout of a cached CRD index; another value makes every cached index unused. */
const CRD_INDEX_FORMAT = 1;

/**
 * Where the headers of these CRD files are cached: `<cache>/index-<key>.json`, the key a sha256 of each file's
 * absolute path, size, modification time and inode (what `platform schemas` memoizes a verified directory by), so
 * a changed, added or removed file makes another key and the stale index is never read. Safe to delete.
 */
function crdIndexFile(cacheDir: string, files: readonly string[]): string {
  const h = createHash('sha256').update(`crd-index ${CRD_INDEX_FORMAT}\n`);
  for (const f of files) {
    const st = statSync(f);
    h.update(`${resolve(f)}\0${st.size}\0${st.mtimeMs}\0${st.ino}\n`);
  }
  return join(cacheDir, `index-${h.digest('hex')}.json`);
}

function isCrdHeader(v: unknown): v is CrdHeader {
  const o = obj(v);
  return (
    o !== undefined &&
    typeof o.group === 'string' &&
    typeof o.kind === 'string' &&
    typeof o.scope === 'string' &&
    Array.isArray(o.versions) &&
    o.versions.length > 0 &&
    o.versions.every((x) => typeof x === 'string')
  );
}

/** The cached headers of exactly `files` (null: the scan could not read it), or undefined when unusable. */
function readCrdIndex(cacheFile: string, files: readonly string[]): Record<string, CrdHeader | null> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(cacheFile, 'utf8'));
  } catch {
    return undefined; // absent or damaged: scanned again and written anew
  }
  const headers = obj(obj(doc)?.headers);
  if (obj(doc)?.format !== CRD_INDEX_FORMAT || headers === undefined) return undefined;
  if (Object.keys(headers).length !== files.length) return undefined;
  for (const f of files) {
    const h = headers[f];
    if (!(h === null || isCrdHeader(h))) return undefined;
  }
  return headers as Record<string, CrdHeader | null>;
}

/** Reads group, kind, scope and version names of a controller-gen style CRD file (one document). */
export function scanCrdHeader(text: string): CrdHeader | undefined {
  if ((text.match(/^---\s*$/gm)?.length ?? 0) > 1) return undefined;
  if (!/^kind: CustomResourceDefinition\s*$/m.test(text)) return undefined;
  const specAt = text.search(/^spec:\s*$/m);
  if (specAt < 0) return undefined;
  const spec = text.slice(specAt);
  const group = /^ {2}group: ['"]?([^'"\s]+)['"]?\s*$/m.exec(spec)?.[1];
  const scope = /^ {2}scope: ['"]?(\w+)['"]?\s*$/m.exec(spec)?.[1];
  const namesAt = spec.search(/^ {2}names:\s*$/m);
  const kind = namesAt < 0 ? undefined : /^ {4}kind: ['"]?([^'"\s]+)['"]?\s*$/m.exec(spec.slice(namesAt))?.[1];
  const versionsAt = spec.search(/^ {2}versions:\s*$/m);
  if (group === undefined || scope === undefined || kind === undefined || versionsAt < 0) return undefined;
  const versions: string[] = [];
  for (const m of spec.slice(versionsAt).matchAll(/^ {2}(?:- | {2})name: ['"]?([^'"\s]+)['"]?\s*$/gm)) {
    versions.push(m[1] as string);
  }
  return versions.length === 0 ? undefined : { group, kind, scope, versions };
}

function dedupe(problems: SchemaProblem[]): SchemaProblem[] {
  if (problems.length < 2) return problems; // nothing to repeat (most objects have no problem)
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
