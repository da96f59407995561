import { UsageError } from './errors';

/** The flags a command accepts: names without the leading `--`. */
export interface FlagSpec {
  /** Flags that take a value: `--name VALUE` or `--name=VALUE`. */
  readonly strings: readonly string[];
  /** Flags without a value: exactly `--name`. */
  readonly booleans: readonly string[];
  /** Whether arguments that do not start with `-` are collected as positionals (else they are unexpected). */
  readonly positionals: boolean;
  /** The usage error for an argument that is none of the above, e.g. `unknown flag --x; expected ...`. */
  unexpected(arg: string): string;
}

export interface ScannedArgs {
  /** The last value given for each string flag. */
  readonly strings: Partial<Record<string, string>>;
  /** The boolean flags that were given. */
  readonly booleans: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/**
 * Scans a command's arguments (`platform validate`, `platform render`): a string flag's value follows it or an `=`;
 * a missing value, or one that looks like a flag (`--`), is a usage error, and so is anything `spec` does not know.
 */
export function scanArgs(args: readonly string[], spec: FlagSpec): ScannedArgs {
  const strings: Record<string, string> = {};
  const booleans = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const name = a.startsWith('--') ? a.slice(2).split('=')[0]! : undefined;
    if (name !== undefined && spec.booleans.includes(name) && a === `--${name}`) {
      booleans.add(name);
    } else if (name !== undefined && spec.strings.includes(name)) {
      const eq = a.indexOf('=');
      if (eq >= 0) strings[name] = a.slice(eq + 1);
      else {
        const v = args[++i];
        if (v === undefined || v.startsWith('--')) throw new UsageError(`--${name}: expected a value`);
        strings[name] = v;
      }
    } else if (spec.positionals && !a.startsWith('-')) {
      positionals.push(a);
    } else {
      throw new UsageError(spec.unexpected(a));
    }
  }
  return { strings, booleans, positionals };
}
