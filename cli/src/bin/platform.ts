#!/usr/bin/env node
import type * as Main from '../main';
import { enableCompileCache } from './compile-cache';

// before anything else is loaded, so that everything the command loads is cached
enableCompileCache();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { main } = require('../main') as typeof Main;

main(process.argv.slice(2)).then(
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
