import type { Command } from './command';

/**
 * Every sub-command, loaded lazily so that `platform status` does not pay for cdk8s and
 * `platform synth` does not pay for the Kubernetes client. One line per command.
 */
export const commands: Record<string, () => Promise<Command>> = {};
