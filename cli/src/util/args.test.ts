import { scanArgs, type FlagSpec } from './args';
import { UsageError } from './errors';

const spec: FlagSpec = {
  strings: ['env', 'schemas'],
  booleans: ['json'],
  positionals: true,
  unexpected: (a) => `unknown flag ${a}`,
};

describe('scanArgs', () => {
  it('reads string flags as --flag VALUE and --flag=VALUE (the last one wins), booleans and positionals', () => {
    const r = scanArgs(['dist/dev', '--env', 'dev', '--schemas=/s=1', '--json', 'crossplane', '--env=prod'], spec);
    expect(r.strings).toEqual({ env: 'prod', schemas: '/s=1' });
    expect([...r.booleans]).toEqual(['json']);
    expect(r.positionals).toEqual(['dist/dev', 'crossplane']);
    expect(scanArgs([], spec)).toEqual({ strings: {}, booleans: new Set(), positionals: [] });
  });

  it('rejects a missing value or one that is a flag, naming the flag', () => {
    expect(() => scanArgs(['--env'], spec)).toThrow(new UsageError('--env: expected a value'));
    expect(() => scanArgs(['--schemas', '--json'], spec)).toThrow('--schemas: expected a value');
    expect(scanArgs(['--env='], spec).strings).toEqual({ env: '' });
  });

  it('rejects what the spec does not know with its message, positionals too when it takes none', () => {
    for (const a of ['--nope', '--json=true', '--environment', '-e', '--']) {
      expect(() => scanArgs([a], spec)).toThrow(new UsageError(`unknown flag ${a}`));
    }
    expect(() => scanArgs(['dist'], { ...spec, positionals: false })).toThrow('unknown flag dist');
  });
});
