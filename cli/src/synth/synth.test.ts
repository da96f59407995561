import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synth } from '../commands/synth';
import { captureOutput } from '../testing/run-cli';
import { CliError, UsageError } from '../util/errors';
import { renderTrees } from './index';
import { isGeneratedDir } from './layout';
import { listFiles } from './trees';

const repoRoot = join(__dirname, '..', '..', '..');

/** A copy of what synth reads and writes, so tests never touch the working tree. */
function tempRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'synth-'));
  for (const path of ['environments', 'cdk8s.yaml'])
    cpSync(join(repoRoot, path), join(root, path), { recursive: true });
  return root;
}

function snapshot(root: string): Map<string, string> {
  return new Map(listFiles(root).map((f) => [f, readFileSync(join(root, f), 'utf8')]));
}

const run = (args: string[]) => captureOutput(() => synth.run(args));

describe('platform synth', () => {
  const roots: string[] = [];
  const fresh = (): string => {
    const r = tempRepo();
    roots.push(r);
    return r;
  };
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  // one synth into an empty repository: its output is checked below, and its result is copied by the tests that
  // need a synthesized repository to start from (never written to: each test gets its own copy)
  let template: string;
  let first: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    template = fresh();
    first = await run(['--root', template]);
    expect(first.code).toBe(0);
  });
  const synthesized = (): string => {
    const r = fresh();
    cpSync(template, r, { recursive: true });
    return r;
  };

  it('writes every environment and prints objects per environment and kind', () => {
    const { code, out } = first;
    expect(code).toBe(0);
    for (const env of ['dev', 'staging', 'prod'])
      expect(existsSync(join(template, 'dist', env, 'metrics-app.yaml'))).toBe(true);
    expect(out).toMatch(/^KIND\s+dist\/dev\s+dist\/prod\s+dist\/staging/m);
    expect(out).toMatch(/^Deployment\s+1\s+1\s+1/m);
    expect(out).toMatch(/^HorizontalPodAutoscaler\s+-\s+1\s+1/m);
  });

  it('--check passes when up to date, and fails with a unified diff on drift without writing', async () => {
    const root = synthesized();
    expect((await run(['--check', '--root', root])).code).toBe(0);

    const file = join(root, 'dist', 'dev', 'metrics-app.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'),
    );
    writeFileSync(join(root, 'dist', 'dev', 'extra.yaml'), 'kind: Leftover\n');
    const before = snapshot(root);
    const { code, out, err } = await run(['--check', '--root', root]);
    expect(code).toBe(1);
    expect(out).toContain('--- a/dist/dev/metrics-app.yaml');
    expect(out).toContain('+++ b/dist/dev/metrics-app.yaml');
    expect(out).toMatch(/^-\s+readOnlyRootFilesystem: false$/m);
    expect(out).toMatch(/^\+\s+readOnlyRootFilesystem: true$/m);
    expect(err).toMatch(/changed dist\/dev\/metrics-app\.yaml/);
    expect(err).toMatch(/stale\s+dist\/dev\/extra\.yaml/);
    expect(snapshot(root)).toEqual(before);
  });

  it('removes, and --check reports, the dist/ directory of an environment that no longer exists', async () => {
    const root = synthesized();
    cpSync(join(root, 'dist', 'dev'), join(root, 'dist', 'qa'), { recursive: true });
    const { code, err } = await run(['--check', '--root', root]);
    expect(code).toBe(1);
    expect(err).toMatch(/stale\s+dist\/qa\/metrics-app\.yaml/);
    const written = await run(['--root', root]);
    expect(written).toMatchObject({ code: 0, out: expect.stringContaining('removed dist/qa/') });
    expect(written.out).not.toMatch(/^KIND.*dist\/qa/m);
    expect(existsSync(join(root, 'dist', 'qa'))).toBe(false);
    expect((await run(['--check', '--root', root])).code).toBe(0);
  });

  it('rewrites nothing when nothing changed, and says so per tree', async () => {
    expect(first.out).toMatch(/^wrote dist\/dev\/ \(5 files: 5 added\)$/m);
    const root = synthesized();
    const before = new Map(listFiles(root).map((f) => [f, statSync(join(root, f))]));
    const again = await run(['--root', root]);
    for (const dir of ['dist/dev', 'dist/prod', 'dist/staging', 'crossplane', 'argocd/apps'])
      expect(again.out).toMatch(new RegExp(`^unchanged ${dir}/ \\(\\d+ files\\)$`, 'm'));
    expect(again.out).not.toMatch(/^wrote /m);
    for (const [f, st] of before)
      expect([f, statSync(join(root, f)).ino, statSync(join(root, f)).mtimeMs]).toEqual([f, st.ino, st.mtimeMs]);
  });

  it('--check reports what an interrupted synth left behind; the next synth deletes it', async () => {
    const root = synthesized();
    cpSync(join(root, 'dist', 'dev'), join(root, 'dist', '.dev.tmp-Ab12Cd'), { recursive: true });
    cpSync(join(root, 'argocd', 'apps'), join(root, 'argocd', '.apps.synth-new'), { recursive: true });
    const check = await run(['--check', '--root', root]);
    expect(check.code).toBe(1);
    expect(check.err).toMatch(/^ {2}stray {3}argocd\/\.apps\.synth-new \(left by an interrupted synth\)$/m);
    expect(check.err).toMatch(/^ {2}stray {3}dist\/\.dev\.tmp-Ab12Cd /m);
    const written = await run(['--root', root]);
    expect(written.err).toContain('synth: removed dist/.dev.tmp-Ab12Cd (left by an interrupted synth)');
    expect(listFiles(root).filter((f) => f.split('/').some((p) => p.startsWith('.')))).toEqual([]);
    expect((await run(['--check', '--root', root])).code).toBe(0);
  });

  it('--check reports a file at the top of dist/ (nothing generates one there); the next synth deletes it', async () => {
    const root = synthesized();
    writeFileSync(join(root, 'dist', 'dev-metricsapp-c8b9d6fd.k8s.yaml'), 'kind: Deployment\n');
    const check = await run(['--check', '--root', root]);
    expect(check.code).toBe(1);
    expect(check.err).toMatch(/^ {2}foreign dist\/dev-metricsapp-c8b9d6fd\.k8s\.yaml \(not generated: /m);
    const written = await run(['--root', root]);
    expect(written.err).toContain('synth: removed dist/dev-metricsapp-c8b9d6fd.k8s.yaml (not generated');
    expect(existsSync(join(root, 'dist', 'dev-metricsapp-c8b9d6fd.k8s.yaml'))).toBe(false);
    expect((await run(['--check', '--root', root])).code).toBe(0);
  });

  it('generates only where it looks for leftovers', () => {
    const trees = renderTrees(repoRoot);
    expect(trees.filter((t) => !isGeneratedDir(t.dir)).map((t) => t.dir)).toEqual([]);
  });

  it('leaves every generated file untouched when a render fails', async () => {
    const root = synthesized();
    const before = snapshot(root);
    const envFile = join(root, 'environments', 'prod.yaml');
    writeFileSync(envFile, readFileSync(envFile, 'utf8').replace(/digest: sha256:[a-f0-9]+/, 'digest: sha256:nothex'));
    const after = snapshot(root);
    await expect(run(['--root', root])).rejects.toThrow(CliError);
    await expect(run(['--root', root])).rejects.toThrow(
      /environments\/prod\.yaml: app\.image\.digest: got "sha256:nothex"; expected sha256: followed by 64/,
    );
    expect(snapshot(root)).toEqual(after);
    expect([...after.keys()].filter((f) => f.startsWith('dist/'))).toEqual(
      [...before.keys()].filter((f) => f.startsWith('dist/')),
    );
  });

  it('--env renders one environment; an unknown one is a usage error listing the known ones', async () => {
    const root = fresh();
    expect((await run(['--env', 'staging', '--root', root])).code).toBe(0);
    const written = listFiles(join(root, 'dist'));
    expect(written).toEqual(
      expect.arrayContaining(['staging/graphite.yaml', 'staging/metrics-app.yaml', 'staging/namespaces.yaml']),
    );
    expect(written.filter((f) => !f.startsWith('staging/'))).toEqual([]);
    await expect(run(['--env', 'qa', '--root', root])).rejects.toThrow(
      new UsageError('--env: got "qa"; expected one of: dev, prod, staging'),
    );
  });

  it('--out writes elsewhere, and bad flags are usage errors', async () => {
    const root = fresh();
    const out = fresh();
    expect((await run(['--root', root, '--out', out, '--env', 'dev'])).code).toBe(0);
    expect(existsSync(join(out, 'dist', 'dev', 'graphite.yaml'))).toBe(true);
    expect(existsSync(join(root, 'dist'))).toBe(false);
    await expect(run(['--frobnicate'])).rejects.toThrow(UsageError);
    await expect(run(['--check', '--out', out])).rejects.toThrow(UsageError);
    await expect(run(['--env', ''])).rejects.toThrow('--env: got ""; expected a non-empty value');
  });
});
