#!/usr/bin/env node
// `npm test`: build (only when a source changed), `platform schemas ensure`, then lint and jest side by side, then
// `platform validate`. Lint needs neither the build nor the schemas, and jest's workers leave some CPU idle while
// suites wait on child processes: running them together saves most of lint's time (2.5 s warm, far more with a cold
// cache) instead of adding it. Lint's output is held back and printed after jest's, so neither is interleaved.
// Arguments go to jest (`npm test -- cli/src/commands`); the exit status is that of the first step that failed.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const node = process.execPath;
const platform = join(root, 'cli', 'lib', 'bin', 'platform.js');

/** Runs a step to completion with the terminal; exits with its status when it failed. */
function runStep(args) {
  const r = spawnSync(node, args, { cwd: root, stdio: 'inherit' });
  const code = r.status ?? 1;
  if (code !== 0) process.exit(code);
}

/** Starts a child and resolves with its exit code (1 when killed by a signal or not started). */
function started(command, args, options) {
  const child = spawn(command, args, { cwd: root, ...options });
  const done = new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`test: cannot start ${command}: ${err.message}\n`);
      resolve(1);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
  return { child, done };
}

async function main() {
  runStep([join(root, 'scripts', 'build-if-stale.js')]);
  runStep([platform, 'schemas', 'ensure']);

  // npm sets npm_execpath to its own CLI when it runs this script (another package manager sets its own): `npm`
  // from PATH otherwise
  const npm = /npm-cli\.js$/.test(process.env.npm_execpath ?? '') ? process.env.npm_execpath : undefined;
  const lint = npm
    ? started(node, [npm, 'run', '-s', 'lint'], { stdio: ['ignore', 'pipe', 'pipe'] })
    : started('npm', ['run', '-s', 'lint'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lintOutput = '';
  for (const stream of [lint.child.stdout, lint.child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (d) => (lintOutput += d));
  }
  const jest = started(node, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });

  const [lintCode, jestCode] = await Promise.all([lint.done, jest.done]);
  process.stdout.write(lintOutput);
  if (lintCode !== 0) process.stderr.write(`test: lint failed (exit ${lintCode}); see its output above\n`);
  if (lintCode !== 0 || jestCode !== 0) process.exit(lintCode !== 0 ? lintCode : jestCode);

  runStep([platform, 'validate']);
}

main();
