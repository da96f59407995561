import { commands } from './commands/index';
import { runCli } from './testing/run-cli';

describe('platform (main)', () => {
  it('--help lists every command with its summary and exits 0; no command prints the same list and exits 2', async () => {
    const helped = await runCli(['--help']);
    expect(helped.code).toBe(0);
    for (const name of Object.keys(commands)) {
      const { summary } = await commands[name]!();
      expect(summary.length).toBeGreaterThan(10);
      expect(helped.out).toMatch(new RegExp(`^  ${name} +${summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
    expect(await runCli([])).toEqual({ code: 2, out: helped.out, err: '' });
  });

  it('names the unknown command and the known ones, exit 2', async () => {
    expect(await runCli(['deploy'])).toEqual({
      code: 2,
      out: '',
      err: `platform: unknown command 'deploy'; expected one of: ${Object.keys(commands).sort().join(', ')}\n`,
    });
  });

  it('<command> --help prints that command’s usage and runs nothing', async () => {
    const r = await runCli(['bump', '--help', '--env', 'nope']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: platform bump /);
  });
});
