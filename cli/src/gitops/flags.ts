import { parseArgs } from 'node:util';
import { imageDigestPattern, imageTagPattern } from '@metrics-platform/cdk8s/lib/config';
import { UsageError } from '../util/errors';
import type { Git } from './git';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/** node:util parseArgs with the usage text on any unknown or malformed flag. */
export function parseFlags(
  args: readonly string[],
  options: OptionSpec,
  usage: string,
): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
    for (const [name, value] of Object.entries(values)) {
      if (value === '') throw new UsageError(`--${name}: got ""; expected a non-empty value\n${usage}`);
    }
    return values as Record<string, string | boolean | undefined>;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}

export function required(values: Record<string, string | boolean | undefined>, name: string, usage: string): string {
  const v = values[name];
  if (typeof v !== 'string') throw new UsageError(`--${name} is required\n${usage}`);
  return v;
}

export function checkTag(tag: string, flag = '--tag'): string {
  if (!imageTagPattern.test(tag) || tag === 'latest') {
    throw new UsageError(
      `${flag}: got ${JSON.stringify(tag)}; expected an OCI tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}), not "latest"`,
    );
  }
  return tag;
}

export function checkDigest(digest: string, flag = '--digest'): string {
  if (!imageDigestPattern.test(digest)) {
    throw new UsageError(
      `${flag}: got ${JSON.stringify(digest)}; expected sha256: followed by 64 lower-case hex digits`,
    );
  }
  return digest;
}

export function checkCommitSha(sha: string, flag: string): string {
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) {
    throw new UsageError(
      `${flag}: got ${JSON.stringify(sha)}; expected a full commit id (40 or 64 lower-case hex digits)`,
    );
  }
  return sha;
}

export function checkPositiveInt(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < 1 || n > max) {
    throw new UsageError(`${flag}: got ${JSON.stringify(value)}; expected a whole number from 1 to ${max}`);
  }
  return n;
}

/** A configured remote of the repository, checked before anything is fetched or written. */
export function checkRemote(git: Git, remote: string, flag = '--push'): string {
  const known = git.run(['remote']).split('\n').filter(Boolean);
  if (!known.includes(remote)) {
    throw new UsageError(
      `${flag}: got ${JSON.stringify(remote)}; expected a configured git remote (${known.length > 0 ? known.join(', ') : 'none configured'})`,
    );
  }
  return remote;
}
