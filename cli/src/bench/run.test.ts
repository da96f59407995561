import { PassThrough } from 'node:stream';
import { TICK_MS, benches, runWithTicker } from './run';

const collect = () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
};

describe('bench runner', () => {
  it('promises a line at least every 10 s', () => {
    expect(TICK_MS).toBeLessThanOrEqual(10_000);
  });

  it('passes the output through, and says what still runs when the benchmark is silent too long', async () => {
    const out = collect();
    const err = collect();
    const script = `console.log('table'); console.error('phase one...'); setTimeout(() => console.log('done'), 1300);`;
    const res = await runWithTicker({ name: 'bench:fake', argv: ['-e', script] }, 400, out.stream, err.stream);
    expect(res.code).toBe(0);
    expect(out.text()).toBe('table\ndone\n');
    const ticks = err
      .text()
      .split('\n')
      .filter((l) => l.startsWith('bench:fake: still running'));
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks[0]).toMatch(
      /^bench:fake: still running \(\d+\.\d s in\); its last line, \d+\.\d s ago: phase one\.\.\.$/,
    );
  });

  it('reports the exit code of a failing benchmark', async () => {
    const res = await runWithTicker(
      { name: 'bench:fail', argv: ['-e', 'process.exit(3)'] },
      10_000,
      collect().stream,
      collect().stream,
    );
    expect(res.code).toBe(3);
  });

  it('runs both benchmarks by default and passes --full to each; bench:synth options only to bench:synth', () => {
    const names = (args: string[]) => benches('/repo', args).map((b) => [b.name, ...b.argv]);
    expect(names([])).toEqual([
      ['bench:metrics', '/repo/app/lib/bench/metrics.js'],
      ['bench:synth', '/repo/cli/lib/bench/synth.js'],
    ]);
    expect(names(['all', '--full'])).toEqual([
      ['bench:metrics', '/repo/app/lib/bench/metrics.js', '--full'],
      ['bench:synth', '/repo/cli/lib/bench/synth.js', '--full'],
    ]);
    expect(names(['synth', '--runs', '5'])).toEqual([['bench:synth', '/repo/cli/lib/bench/synth.js', '--runs', '5']]);
    expect(() => benches('/repo', ['--runs', '5'])).toThrow(
      'unknown option "--runs"; expected --full (options of one benchmark go to bench:metrics or bench:synth)',
    );
    expect(() => benches('/repo', ['metrics', '--fast'])).toThrow(
      'bench:metrics: unknown option "--fast"; expected --full',
    );
  });
});
