#!/usr/bin/env node
import type * as Main from '../main';
import { CliError } from '../util/errors';
import { loadBundledMain } from './bundle';
import { enableCompileCache } from './compile-cache';

const argv = process.argv.slice(2);

/** The modules tsc built (no bundle, a stale one, or PLATFORM_BUNDLE=0). */
function unbundledMain(): typeof Main {
  // before anything else is loaded, so that everything the command loads is cached (Node >= 22.1)
  enableCompileCache();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../main') as typeof Main;
}

let cli: typeof Main | undefined;
try {
  cli = loadBundledMain(__dirname, argv) ?? unbundledMain();
} catch (err) {
  if (!(err instanceof CliError)) throw err;
  process.stderr.write(`platform: ${err.message}\n`); // a bad PLATFORM_BUNDLE
  process.exitCode = err.exitCode;
}

cli?.main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `platform: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
