import { resolveSchemasDir, SchemaRegistry } from '../validate';
import { checkPlatform, formatCrossplaneProblem, transformedType, type CrossplaneProblem, type Obj } from './checks';
import { platformObjects } from './platform-objects';

/** Each offline Crossplane check, shown to pass on the real platform API and to catch its class of error. */

// One registry for the suite: schemas compile once (each check re-registers the XRDs it is given).
const registry = SchemaRegistry.load(resolveSchemasDir());
const check = (objects: Obj[]) => checkPlatform(registry, objects);
const errors = (ps: CrossplaneProblem[]) => ps.filter((p) => p.severity === 'error').map(formatCrossplaneProblem);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The platform objects with one object changed by `edit`. */
function mutated(kind: string, name: string, edit: (o: Json) => void): Obj[] {
  const objects = platformObjects();
  const target = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!target) throw new Error(`no ${kind}/${name}`);
  edit(target as Json);
  return objects;
}

/** The patch-and-transform resource template `name` of a Composition. */
const template = (comp: Json, name: string): Json => {
  const t = (comp.spec.pipeline[0].input.resources as Json[]).find((r) => r.name === name);
  if (!t) throw new Error(`no resource ${name}`);
  return t;
};
const patchTo = (t: Json, toFieldPath: string): Json => {
  const p = (t.patches as Json[]).find((x) => x.toFieldPath === toFieldPath);
  if (!p) throw new Error(`no patch to ${toFieldPath}`);
  return p;
};

const REPO = 'repository.ecr.aws';
const ADDONS = 'clusteraddons.eks.aws';

describe('offline Crossplane checks', () => {
  it('find no problem in the platform API (XRDs, Compositions, packages, runtime configs, ProviderConfig, Usages)', () => {
    const all = check(platformObjects());
    expect(errors(all)).toEqual([]);
    // A CEL rule the validator could not evaluate would be a warning: there must be none either.
    expect(all.map(formatCrossplaneProblem)).toEqual([]);
  });

  it('catch a misspelled fromFieldPath (not in the XRD schema)', () => {
    const objs = mutated('Composition', REPO, (c) => {
      patchTo(template(c, 'kms-key'), 'spec.forProvider.deletionWindowInDays').fromFieldPath = 'spec.encryption.keyDeletionWindow';
    });
    expect(errors(check(objs))).toEqual([
      expect.stringMatching(/resources\[0\]\(kms-key\)\.patches\[\d+\]\.fromFieldPath: "spec\.encryption\.keyDeletionWindow" does not exist in the schema of platform\.example\.org\/v1alpha1\/Repository/),
    ]);
  });

  it('catch a misspelled toFieldPath (not in the managed resource CRD)', () => {
    const objs = mutated('Composition', ADDONS, (c) => {
      patchTo(template(c, 'addon-vpc-cni'), 'spec.forProvider.addonVersion').toFieldPath = 'spec.forProvider.version';
    });
    expect(errors(check(objs))).toEqual([expect.stringMatching(/\(addon-vpc-cni\)\.patches\[\d+\]\.toFieldPath: "spec\.forProvider\.version" does not exist in the schema of eks\.aws\.m\.upbound\.io\/v1beta1\/Addon/)]);
  });

  it('catch a patch set that writes a field some of its users do not have (region on a global IAM resource)', () => {
    const objs = mutated('Composition', REPO, (c) => {
      template(c, 'push-role').patches.push({ type: 'PatchSet', patchSetName: 'regional' });
    });
    expect(errors(check(objs))).toEqual([expect.stringMatching(/\(push-role\)\.patches\[\d+\]\.toFieldPath: "spec\.forProvider\.region" does not exist in the schema of iam\.aws\.m\.upbound\.io\/v1beta1\/Role/)]);
  });

  it('catch a wrong field in a composed base', () => {
    const objs = mutated('Composition', REPO, (c) => {
      const fp = template(c, 'repository').base.spec.forProvider;
      fp.imageTagMutabilty = fp.imageTagMutability;
      delete fp.imageTagMutability;
    });
    const found = errors(check(objs));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/resources\[1\]\.base\.spec\.forProvider.*imageTagMutabilty/);
  });

  it('catch a pipeline step whose function is not installed', () => {
    const objs = mutated('Composition', REPO, (c) => {
      c.spec.pipeline[1].functionRef.name = 'function-auto-readiness';
    });
    expect(errors(check(objs))).toEqual([expect.stringMatching(/spec\.pipeline\[1\]\.functionRef\.name: got "function-auto-readiness"; expected an installed Function/)]);
  });

  it('catch a Composition whose compositeTypeRef matches no XRD', () => {
    const objs = mutated('Composition', REPO, (c) => {
      c.spec.compositeTypeRef.kind = 'Repo';
    });
    const found = errors(check(objs));
    expect(found[0]).toMatch(/spec\.compositeTypeRef: got platform\.example\.org\/v1alpha1\/Repo; expected a kind served by an XRD/);
  });

  it('catch a reference to an undefined PatchSet', () => {
    const objs = mutated('Composition', REPO, (c) => {
      template(c, 'kms-key').patches[0].patchSetName = 'managment';
    });
    expect(errors(check(objs))).toEqual([expect.stringContaining('cannot find PatchSet by name managment')]);
  });

  it('catch a map transform without a key for one of the source enum values', () => {
    const objs = mutated('Composition', REPO, (c) => {
      delete c.spec.pipeline[0].input.patchSets[0].patches[0].transforms[0].map.Orphan;
    });
    // The broken patch set is used by every resource: one finding per use.
    const found = errors(check(objs));
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f).toMatch(/transforms\[0\]: map has no key for source value\(s\) "Orphan"/);
  });

  it('catch a string transform fed from an integer field and a combine verb that does not fit its variable', () => {
    const fmt = mutated('Composition', REPO, (c) => {
      const p = patchTo(template(c, 'kms-key'), 'spec.forProvider.deletionWindowInDays');
      p.toFieldPath = 'spec.forProvider.description';
      p.transforms = [{ type: 'string', string: { type: 'Format', fmt: 'kept %s days' } }];
    });
    expect(errors(check(fmt))).toEqual([expect.stringMatching(/transforms\[0\]: format verb %s does not accept a integer input \(Go prints %!s\(float64=\.\.\.\)\)/)]);

    const combine = mutated('Composition', REPO, (c) => {
      const p = patchTo(template(c, 'lifecycle-policy'), 'spec.forProvider.policy');
      p.combine.string.fmt = p.combine.string.fmt.replace('%.0f', '%s');
    });
    expect(errors(check(combine))).toEqual([expect.stringMatching(/combine\.variables\[0\]: %s cannot format spec\.lifecycle\.untaggedExpiryDays \(a integer\)/)]);

    // An XR reaches the function as a protobuf Struct: its integers are float64, and %d prints %!d(float64=7).
    const intVerb = mutated('Composition', REPO, (c) => {
      const p = patchTo(template(c, 'lifecycle-policy'), 'spec.forProvider.policy');
      p.combine.string.fmt = p.combine.string.fmt.replace('%.0f', '%d');
    });
    expect(errors(check(intVerb))).toEqual([expect.stringMatching(/combine\.variables\[0\]: %d cannot format spec\.lifecycle\.untaggedExpiryDays \(a integer\); Go would print %!d\(float64=\.\.\.\)/)]);
  });

  it('catch a transform result that does not fit the target field', () => {
    const objs = mutated('Composition', REPO, (c) => {
      const p = patchTo(template(c, 'kms-key'), 'spec.forProvider.deletionWindowInDays');
      p.transforms = [{ type: 'convert', convert: { toType: 'string' } }];
    });
    expect(errors(check(objs))).toEqual([expect.stringMatching(/produces a string but the target field is a number/)]);
    expect(transformedType([{ type: 'convert', convert: { toType: 'bool' } }], 'array')).toEqual({ error: 'transforms[0]: conversion from array to bool is not supported' });
  });

  it('catch a Usage that breaks its CRD rules', () => {
    const objs = mutated('Composition', ADDONS, (c) => {
      delete template(c, 'usage-ebs-csi-role-by-pod-identity').base.spec.by;
    });
    expect(errors(check(objs))).toEqual([expect.stringMatching(/resources\[\d+\]\.base\.spec: either "spec\.by" or "spec\.reason" must be specified/)]);
  });

  it('catch a selector or Usage that names no sibling resource, or the wrong kind', () => {
    const selector = mutated('Composition', REPO, (c) => {
      template(c, 'lifecycle-policy').base.spec.forProvider.repositorySelector.matchLabels['platform.example.org/resource'] = 'repo';
    });
    expect(errors(check(selector))).toEqual([
      expect.stringMatching(/\(lifecycle-policy\)\.base\.spec\.forProvider\.repositorySelector\.matchLabels: selects platform\.example\.org\/resource=repo, which no resource of this Composition has/),
    ]);
    const usageKind = mutated('Composition', REPO, (c) => {
      template(c, 'usage-kms-key-by-repository').base.spec.by.kind = 'LifecyclePolicy';
    });
    expect(errors(check(usageKind))).toEqual([
      expect.stringMatching(/\(usage-kms-key-by-repository\)\.base\.spec\.by\.resourceSelector\.matchLabels: selects repository, a ecr\.aws\.m\.upbound\.io\/v1beta1 Repository, but declares ecr\.aws\.m\.upbound\.io\/v1beta1 LifecyclePolicy/),
    ]);
  });

  it('catch a package that is not pinned to a fully qualified reference', () => {
    const objs = mutated('Provider', 'provider-aws-ecr', (p) => {
      p.spec.package = 'provider-aws-ecr';
    });
    expect(errors(check(objs))).toEqual([expect.stringMatching(/^Provider\/provider-aws-ecr: spec\.package: .*fully qualified image name/)]);
  });
});
