import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** A throw-away repository for the benchmark: its own environments/, with the real sources linked in. */
export interface BenchRepo {
  readonly root: string;
  readonly environments: number;
}

/**
 * Links what `platform synth` and `cdk8s synth` read besides environments/ (the cdk8s sources, node_modules), so the generated repository renders exactly like the real one.
 */
function linkSources(repoRoot: string, root: string): void {
  for (const entry of ['cdk8s', 'node_modules', 'tsconfig.base.json'])
    symlinkSync(join(repoRoot, entry), join(root, entry));
  // package.json marks the root for `platform validate`; cdk8s.yaml for `platform synth` and `cdk8s synth`.
  for (const file of ['cdk8s.yaml', 'package.json']) cpSync(join(repoRoot, file), join(root, file));
}

/** A copy of the real platform: the committed environments. */
export function realPlatform(repoRoot: string): BenchRepo {
  const root = mkdtempSync(join(tmpdir(), 'bench-synth-real-'));
  linkSources(repoRoot, root);
  cpSync(join(repoRoot, 'environments'), join(root, 'environments'), { recursive: true });
  return { root, environments: readdirSync(join(root, 'environments')).filter((f) => f.endsWith('.yaml')).length };
}

/**
 * A platform of `apps` apps, each deployed to every real environment (`apps` x 3 environment files): each copy gets
 * its own name, namespace, cluster and image repository, so every object is distinct, as in a real fleet.
 */
export function generatedPlatform(repoRoot: string, apps: number): BenchRepo {
  if (!Number.isInteger(apps) || apps < 1 || apps > 1000) throw new Error(`apps: got ${apps}; expected 1..1000`);
  const root = mkdtempSync(join(tmpdir(), `bench-synth-${apps}-`));
  linkSources(repoRoot, root);
  const envDir = join(root, 'environments');
  mkdirSync(envDir);
  const templates = readdirSync(join(repoRoot, 'environments'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => parse(readFileSync(join(repoRoot, 'environments', f), 'utf8')) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  let count = 0;
  for (let i = 1; i <= apps; i++) {
    const app = `app-${String(i).padStart(4, '0')}`;
    for (const [k, t] of templates.entries()) {
      const name = `${app}-${t.name}`;
      const env = structuredClone(t);
      env.name = name;
      // A registry (account + region) has one owner of its replication settings: each copy gets its own account.
      const account = String(i * 10 + k).padStart(12, '0');
      env.app.image.repository = env.app.image.repository.replace(/^[0-9]{12}/, account);
      env.aws.accountId = account;
      if (env.promotion !== undefined) env.promotion.from = `${app}-${env.promotion.from}`;
      env.namespace = name;
      env.cluster.name = name;
      // a cluster is its API server: environments sharing one would have to share nothing else
      env.cluster.server = `https://${name}.gr7.${env.aws.region}.eks.amazonaws.com`;
      env.app.image.repository = env.app.image.repository.replace(/[^/]+$/, app);
      env.ecr.repositories = env.ecr.repositories.map((r: { name: string }) => ({ ...r, name: app }));
      writeFileSync(join(envDir, `${name}.yaml`), stringify(env));
      count++;
    }
  }
  return { root, environments: count };
}
