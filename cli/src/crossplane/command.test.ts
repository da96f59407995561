import { UsageError } from '../util/errors';
import { parseRenderArgs } from './command';

/** `platform render`'s flags; the render itself needs the built engines and runs in render-command.engines.test.ts. */

describe('platform render flags', () => {
  it('rejects bad usage with the flag, the value and what was expected', () => {
    expect(() => parseRenderArgs(['--xr', 'repository'])).toThrow('--xr: got "repository"; expected KIND/NAME such as Repository/metrics-app');
    expect(() => parseRenderArgs(['--color'])).toThrow(UsageError);
    expect(parseRenderArgs(['--env', 'dev', '--xr', 'Repository/metrics-app', '--quiet'])).toEqual({
      env: 'dev',
      xr: 'Repository/metrics-app',
      schemas: undefined,
      quiet: true,
    });
  });
});
