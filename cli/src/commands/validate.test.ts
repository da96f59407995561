import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { compliantEnvironment } from '../validate/testdata/fixtures';
import { runCli } from '../testing/run-cli';

describe('platform validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'validate-cmd-'));
  const good = join(dir, 'good');
  const bad = join(dir, 'bad');
  mkdirSync(good);
  mkdirSync(bad);
  writeFileSync(
    join(good, 'app.yaml'),
    compliantEnvironment()
      .map((o) => stringify(o))
      .join('---\n'),
  );
  writeFileSync(
    join(bad, 'cm.yaml'),
    stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'demo' }, dataa: {} }),
  );

  it('prints nothing but the summary and exits 0 for valid objects', async () => {
    const r = await runCli(['validate', good]);
    expect(r).toEqual({ code: 0, out: '10 objects validated, 0 errors, 0 warnings\n', err: '' });
  });

  it('prints one line per problem and exits 1', async () => {
    const r = await runCli(['validate', bad]);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toContain(
      `${join(bad, 'cm.yaml')}: ConfigMap/demo/c: dataa: unknown field (not in the schema)`,
    );
    expect(r.out).toMatch(/1 objects validated, 2 errors, 0 warnings\n$/); // the field, and the missing namespace
  });

  it('prints JSON with --json', async () => {
    const r = await runCli(['validate', bad, '--json']);
    const report = JSON.parse(r.out) as { objects: number; errors: number; problems: { path: string }[] };
    expect(report.objects).toBe(1);
    expect(report.problems.map((p) => p.path)).toContain('dataa');
  });

  it('rejects bad flags and unusable schema locations with exit code 2 or 1', async () => {
    expect(await runCli(['validate', '--nope'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('unknown flag --nope'),
    });
    expect(await runCli(['validate', good, '--env', 'dev'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('not both'),
    });
    expect(await runCli(['validate', '--env', 'Bad Env'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--env: got "Bad Env"'),
    });
    expect(await runCli(['validate', good, '--schemas', dir])).toMatchObject({
      code: 1,
      err: expect.stringContaining('expected a directory with kubernetes/ and crds/ in it'),
    });
  });
});
