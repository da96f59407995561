import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironments } from '@metrics-platform/cdk8s/lib/config';
import { generatedPlatform } from './generated-platform';
import { linearFit, measure, median, runOnce } from './measure';

const repoRoot = join(__dirname, '..', '..', '..');

describe('bench helpers', () => {
  it('takes medians of odd and even counts, and refuses none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of nothing');
  });

  it('fits a line and tells a straight one from a curve', () => {
    const line = linearFit([
      [10, 120],
      [50, 520],
      [100, 1020],
    ]);
    expect(line.slope).toBeCloseTo(10);
    expect(line.intercept).toBeCloseTo(20);
    expect(line.r2).toBeCloseTo(1);
    const curve = linearFit([1, 2, 3, 4, 5, 6].map((x) => [x, 2 ** (x * 2)] as [number, number]));
    expect(curve.r2).toBeLessThan(0.9);
  });

  it('reports every run as it ends, and the median of each step besides their sum', () => {
    const step = (ms: number) => ({
      // burns `ms` of CPU time (not wall time: on a loaded machine a wall-clock loop gets less CPU than that)
      argv: [
        process.execPath,
        '-e',
        `const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }; while (cpu() < ${ms});`,
      ],
      cwd: repoRoot,
      timeoutMs: 30_000,
    });
    const heard: number[] = [];
    const m = measure([step(10), step(200)], 3, (run) => heard.push(run));
    expect(heard).toEqual([1, 2, 3]);
    expect(m.steps).toHaveLength(2);
    expect(m.steps[1]!.ms).toBeGreaterThan(m.steps[0]!.ms);
    expect(m.steps[1]!.cpuMs).toBeGreaterThanOrEqual(150);
    expect(m.ms).toBeGreaterThanOrEqual(m.steps[1]!.ms);
  });

  it('measures a child process: wall time, CPU time and peak RSS', () => {
    const s = runOnce({
      argv: [
        process.execPath,
        '-e',
        'const a = Buffer.alloc(64 * 1024 * 1024, 1); let x = 0; for (let i = 0; i < 1e7; i++) x += a[i % 1000]; console.log(x)',
      ],
      cwd: repoRoot,
      timeoutMs: 30_000,
    });
    expect(s.ms).toBeGreaterThan(0);
    expect(s.cpuMs).toBeGreaterThan(0);
    expect(s.peakRssMiB).toBeGreaterThan(64);
  });

  it('reports a failing command with its output', () => {
    expect(() =>
      runOnce({
        argv: [process.execPath, '-e', 'console.error("boom"); process.exit(3)'],
        cwd: repoRoot,
        timeoutMs: 30_000,
      }),
    ).toThrow(/failed with 3:\nboom/);
  });

  it('generates apps x 3 distinct, valid environments', () => {
    const repo = generatedPlatform(repoRoot, 2);
    try {
      expect(repo.environments).toBe(6);
      const envs = loadEnvironments(repo.root);
      expect(envs.map((e) => e.name)).toEqual([
        'app-0001-dev',
        'app-0001-prod',
        'app-0001-staging',
        'app-0002-dev',
        'app-0002-prod',
        'app-0002-staging',
      ]);
      expect(new Set(envs.map((e) => e.namespace)).size).toBe(6);
      expect(envs[3]!.app.image.repository).toMatch(/\/app-0002$/);
      expect(existsSync(join(repo.root, 'cdk8s.yaml'))).toBe(true);
      expect(
        readFileSync(join(repo.root, 'environments', readdirSync(join(repo.root, 'environments'))[0]!), 'utf8'),
      ).toContain('digest: sha256:');
    } finally {
      rmSync(repo.root, { recursive: true, force: true });
    }
    expect(() => generatedPlatform(repoRoot, 0)).toThrow('apps: got 0; expected 1..1000');
  });
});
