import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { providerConfig, renderCrossplaneDir } from '@metrics-platform/cdk8s/lib/crossplane';
import { findRepoRoot, resolveSchemasDir, SchemaRegistry } from '../validate';
import { checkPlatform, formatCrossplaneProblem, type Obj } from './checks';

/** The committed `crossplane/` directory is what the sources render, and passes the same checks. */

const repoRoot = findRepoRoot(__dirname);
if (!repoRoot) throw new Error('cannot find the repository root');
const dir = join(repoRoot, 'crossplane');

describe('crossplane/', () => {
  it('holds exactly what renderCrossplaneDir() renders (run npm run synth after changing cdk8s/src/crossplane)', () => {
    const committed = new Map(
      readdirSync(dir)
        .sort()
        .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
    );
    expect(committed).toEqual(renderCrossplaneDir());
  });

  it('passes every offline Crossplane check as committed', () => {
    const objects: Obj[] = readdirSync(dir).flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => {
        if (d.errors.length > 0) throw new Error(`${f}: ${d.errors[0]!.message}`);
        return d.toJSON() as Obj;
      }),
    );
    expect(objects.map((o) => o.kind).sort()).toEqual(
      [...Array<string>(4).fill('CompositeResourceDefinition'), ...Array<string>(4).fill('Composition'), 'DeploymentRuntimeConfig', 'DeploymentRuntimeConfig', 'Function', 'Function', 'Provider', 'Provider', 'Provider', 'Provider'].sort(),
    );
    const problems = checkPlatform(SchemaRegistry.load(resolveSchemasDir()), [...objects, providerConfig('metrics-dev') as Obj]);
    expect(problems.map(formatCrossplaneProblem)).toEqual([]);
  });
});
