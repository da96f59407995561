// One jest run over every workspace; TypeScript is transpiled by swc (type-checking is `tsc -b`).
/** @type {import('jest').Config} */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  roots: ['<rootDir>/app/src', '<rootDir>/cdk8s/src', '<rootDir>/cli/src'],
  testMatch: ['**/*.test.ts'],
  // Slow suites that need real daemons, Docker or the built engines run from .ci/run, not in `npm test`.
  testPathIgnorePatterns: [
    '/node_modules/',
    '\\.e2e\\.test\\.ts$',
    '\\.docker\\.test\\.ts$',
    '\\.engines\\.test\\.ts$',
  ],
  testTimeout: 30000,
  // one temp dir per run, removed at the end: no test can leave files in the system temp dir
  globalSetup: '<rootDir>/jest.global-setup.js',
  globalTeardown: '<rootDir>/jest.global-teardown.js',
};
