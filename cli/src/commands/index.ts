import type { Command } from './command';
import type * as SynthCommand from './synth';

/**
 * Every sub-command, loaded lazily so that `platform status` does not pay for cdk8s and
 * `platform synth` does not pay for the Kubernetes client. One line per command.
 */
export const commands: Record<string, () => Promise<Command>> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy CJS load; import() would need '.js' paths jest cannot resolve
  synth: async () => (require('./synth') as typeof SynthCommand).synth,
};
