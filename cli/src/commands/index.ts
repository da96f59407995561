import type { Command } from './command';
import type * as SynthCommand from './synth';
import type * as BumpCommand from './bump';
import type * as PromoteCommand from './promote';
import type * as DiffCommand from './diff';
import type * as StatusCommand from './status';
import type * as ValidateCommand from './validate';
import type * as SchemasCommand from './schemas';
import type * as EnginesCommand from './engines';

/**
 * Every sub-command, loaded lazily so that `platform status` does not pay for cdk8s and
 * `platform synth` does not pay for the Kubernetes client. One line per command.
 */
export const commands: Record<string, () => Promise<Command>> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy CJS load; import() would need '.js' paths jest cannot resolve
  synth: async () => (require('./synth') as typeof SynthCommand).synth,
  bump: async () => (require('./bump') as typeof BumpCommand).bump, // eslint-disable-line @typescript-eslint/no-require-imports
  promote: async () => (require('./promote') as typeof PromoteCommand).promote, // eslint-disable-line @typescript-eslint/no-require-imports
  diff: async () => (require('./diff') as typeof DiffCommand).diff, // eslint-disable-line @typescript-eslint/no-require-imports
  status: async () => (require('./status') as typeof StatusCommand).status, // eslint-disable-line @typescript-eslint/no-require-imports
  validate: async () => (require('./validate') as typeof ValidateCommand).validate, // eslint-disable-line @typescript-eslint/no-require-imports
  schemas: async () => (require('./schemas') as typeof SchemasCommand).schemas, // eslint-disable-line @typescript-eslint/no-require-imports
  engines: async () => (require('./engines') as typeof EnginesCommand).engines, // eslint-disable-line @typescript-eslint/no-require-imports
  render: async () => (require('../crossplane/command') as { render: Command }).render, // eslint-disable-line @typescript-eslint/no-require-imports
};
