// One jest run over every workspace; TypeScript is transpiled by swc (type-checking is `tsc -b`).
const { availableParallelism } = require('node:os');
/** @type {import('jest').Config} */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  roots: ['<rootDir>/app/src', '<rootDir>/cdk8s/src', '<rootDir>/cli/src'],
  testMatch: ['**/*.test.ts'],
  // Suites that need real daemons, Docker, the built engines or a fresh `npm ci` run from .ci/run, not in `npm test`.
  testPathIgnorePatterns: [
    '/node_modules/',
    '\\.slow\\.test\\.ts$',
    '\\.e2e\\.test\\.ts$',
    '\\.docker\\.test\\.ts$',
    '\\.engines\\.test\\.ts$',
  ],
  testTimeout: 30000,
  // one worker per core plus one: jest's default (cores - 1) is a single worker on a 2-core machine, and many suites
  // wait on child processes (git, the built CLI, statsd) or timers more than they compute. On 2 cores, 4 alternating
  // full runs each: 3 workers median 42 s wall, 2 workers 49 s, at the same CPU time (2026-11-30).
  maxWorkers: availableParallelism() + 1,
  // jest's runtime with a V8 code cache per worker: each test file still runs its own modules, compiled once per worker
  runtime: '<rootDir>/jest.runtime.js',
  // one temp dir per run, removed at the end: no test can leave files in the system temp dir
  globalSetup: '<rootDir>/jest.global-setup.js',
  globalTeardown: '<rootDir>/jest.global-teardown.js',
};
