#!/usr/bin/env node
// The `platform` executable npm links at install time. It is committed (the CLI it loads is built into ../lib by
// `npm run build`), so `npx platform` always finds it in the workspace and never asks a registry for a package.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'lib', 'bin', 'platform.js');
if (existsSync(built)) {
  require(built);
} else {
  process.stderr.write(`platform: the CLI is not built (${built} is missing); run npm run build first\n`);
  process.exitCode = 1;
}
