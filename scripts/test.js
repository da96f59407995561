#!/usr/bin/env node
// `npm test`: build (only when a source changed), `platform schemas ensure`, then lint, jest and `platform validate`
// side by side. Lint needs neither the build nor the schemas, validate only the schemas, and jest's workers leave
// some CPU idle while suites wait on child processes: running them together saves most of their time (lint 2.5 s
// warm, far more with a cold cache) instead of adding it. Lint's and validate's output is held back and printed after
// jest's, in that order, so nothing is interleaved. Arguments go to jest (`npm test -- cli/src/commands`); the exit
// status is that of the first failed of lint, jest and validate.
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
  const lint = held(
    npm ? started(node, [npm, 'run', '-s', 'lint'], HELD) : started('npm', ['run', '-s', 'lint'], HELD),
  );
  const jest = started(
    node,
    [...JEST_V8_FLAGS, join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  const validate = held(started(node, [platform, 'validate'], HELD));

  const [lintCode, jestCode, validateCode] = await Promise.all([lint.done, jest.done, validate.done]);
  process.stdout.write(lint.output());
  if (lintCode !== 0) process.stderr.write(`test: lint failed (exit ${lintCode}); see its output above\n`);
  process.stdout.write(validate.output());
  if (validateCode !== 0) process.stderr.write(`test: platform validate failed (exit ${validateCode}); see above\n`);
  const failed = [lintCode, jestCode, validateCode].find((code) => code !== 0);
  if (failed !== undefined) process.exit(failed);
}

/**
 * V8 flags of jest and its workers (they inherit them): no TurboFan. jest loads every module afresh for each suite
 * file, so V8's optimizing compiler optimized the same functions again in every file, for tests that mostly run
 * them a few times: about 9 % of the run's CPU in a system-wide profile. Without it, on 2 cores (2026-11-30), 3
 * paired `npm test` runs took a median 34.2 s instead of 37.8 s, and 63 CPU-s instead of 72. Maglev (V8's fast
 * optimizing tier, on by default from Node 22) stays allowed. The processes the tests start (the CLI, the app, git)
 * run with Node's defaults, as users run them.
 */
const JEST_V8_FLAGS = ['--max-opt=2'];

/** A step whose output (stdout and stderr, in the order written) is held back until `output()`. */
const HELD = { stdio: ['ignore', 'pipe', 'pipe'] };
function held(step) {
  let text = '';
  for (const stream of [step.child.stdout, step.child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (d) => (text += d));
  }
  return { done: step.done, output: () => text };
}

main();
