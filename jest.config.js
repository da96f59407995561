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
  // one worker per core: jest's default (cores - 1) is a single worker on a 2-core machine, and most suites wait on
  // child processes (git, the built CLI, statsd) more than they compute
  maxWorkers: Math.max(2, availableParallelism()),
  // one temp dir per run, removed at the end: no test can leave files in the system temp dir
  globalSetup: '<rootDir>/jest.global-setup.js',
  globalTeardown: '<rootDir>/jest.global-teardown.js',
};
